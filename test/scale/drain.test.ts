import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3BlobStore, jobRunsSql, jobsSql } from '../../src/store/index.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestDeployment } from '../helpers/scaled-deployment.js';
import { scaledStackUnavailable } from '../helpers/scaled-stack.js';

describe.skipIf(scaledStackUnavailable !== undefined)(`SIGTERM drains a worker${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`, () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const clean of cleanups.reverse()) await clean();
  });

  it('an export still running at the drain deadline is handed back at once (no lease wait), the worker exits 0, and another worker completes it', async () => {
    const { env: deployment, bucket, store, tokenFor, claimedBy } = await createTestDeployment(cleanups, 'drain');
    // A lease far longer than the test: only a hand-back (not a lapse) lets the second worker in quickly.
    const env = {
      ...deployment,
      DATAPORT_DEMO_RECORDS: '20',
      DATAPORT_JOB_LEASE: '10m',
      DATAPORT_LOG_LEVEL: 'warn',
    };

    const server = await startServerProcess(env, 'serve');
    children.push(server.child);
    const slow = await startWorkerProcess({
      ...env,
      DATAPORT_DEMO_FAULTS: 'chrome.history=slow:600000',
      DATAPORT_DRAIN_TIMEOUT: '1s',
      DATAPORT_LOG_LEVEL: 'info',
    });
    children.push(slow.child);

    const api = googleClient(server.url, await tokenFor('drainer', ['chrome.history']));
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    const jobId = data.archiveJobId!;
    await claimedBy(jobId, slow);

    const exited = new Promise<number | null>((r) => slow.child.once('exit', (code) => r(code)));
    slow.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const handedBack = await jobsSql.findJob(store.db, jobId);
    expect(handedBack).toMatchObject({ state: 'IN_PROGRESS', lease_owner: null, transient_failures: 0 });
    // The aborted run deleted its partial upload.
    const blobs = createS3BlobStore(bucket.location);
    cleanups.push(async () => blobs.close?.());
    expect(await blobs.list(`archives/${jobId}/`)).toEqual([]);

    const next = await startWorkerProcess(env);
    children.push(next.child);
    const state = await waitForState(api, jobId, undefined, 30_000);
    expect(state.state).toBe('COMPLETE');
    expect((await jobsSql.findJob(store.db, jobId))!.attempt).toBe(2);
    // The run history says why there were two runs.
    expect((await jobRunsSql.listRuns(store.db, jobId)).map((r) => r.outcome)).toEqual(['handed-back', 'complete']);
    for (const c of [server.child, next.child]) {
      const done = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
      c.kill('SIGTERM');
      expect(await done).toBe(0);
    }
  });
});
