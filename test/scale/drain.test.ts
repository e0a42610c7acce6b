import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { createS3BlobStore, jobRunsSql, jobsSql, openDatabase } from '../../src/store/index.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../helpers/scaled-stack.js';

describe.skipIf(scaledStackUnavailable !== undefined)(`SIGTERM drains a worker${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`, () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const clean of cleanups.reverse()) await clean();
  });

  it('an export still running at the drain deadline is handed back at once (no lease wait), the worker exits 0, and another worker completes it', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const bucket = await createTestBucket();
    cleanups.push(bucket.drop);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-drain-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 1 });
    cleanups.push(() => store.close());
    // A lease far longer than the test: only a hand-back (not a lapse) lets the second worker in quickly.
    const env = {
      DATAPORT_DATABASE_URL: database.url,
      ...bucket.env,
      DATAPORT_DATA_DIR: dataDir,
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

    const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
    const { accessToken } = await tokens.grantAndIssueToken({ userId: 'drainer', clientId: 'c', resources: ['chrome.history'], access: 'once' });
    const api = googleClient(server.url, accessToken);
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    const jobId = data.archiveJobId!;
    const deadline = Date.now() + 30_000;
    while (!(await jobsSql.findJob(store.db, jobId))?.lease_owner?.includes(`:${slow.child.pid}:`)) {
      if (Date.now() > deadline) throw new Error(`the worker never claimed the job:\n${slow.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }

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
