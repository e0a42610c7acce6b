import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';
import { jobsSql, openDatabase } from '../../src/store/index.js';

describe('a SIGTERM drain', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('a SIGTERM drain hands the job back without spending an attempt: with DATAPORT_JOB_ATTEMPTS=2, a transient error after the drain is still retried and the job completes', async () => {
    const drainDir = mkdtempSync(path.join(tmpdir(), 'dataport-drain-'));
    const store = openDatabase({ dataDir: drainDir });
    try {
      const env = {
        DATAPORT_DATA_DIR: drainDir,
        DATAPORT_JOB_ATTEMPTS: '2',
        DATAPORT_RETRY_BACKOFF: '0s',
        DATAPORT_DRAIN_TIMEOUT: '1s',
        DATAPORT_DEMO_RECORDS: '20',
      };
      // The first server's run of the job outlasts the drain deadline, so SIGTERM hands it back.
      const first = await startServerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=slow:600000' });
      children.push(first.child);
      const token = (await runCli(['token', '--user', 'drained', '--resources', 'chrome.history'], env)).lastLine;
      const { data } = await googleClient(first.url, token).portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      const jobId = data.archiveJobId!;
      const deadline = Date.now() + 15_000;
      while (!(await jobsSql.findJob(store.db, jobId))?.lease_owner) {
        if (Date.now() > deadline) throw new Error(`the job was never claimed:\n${first.logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const exited = new Promise<number | null>((r) => first.child.once('exit', (code) => r(code)));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await jobsSql.findJob(store.db, jobId)).toMatchObject({ state: 'IN_PROGRESS', lease_owner: null, attempt: 1, transient_failures: 0 });

      // After the restart the source fails once, transiently: one of the two attempts is still left for it.
      const second = await startServerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=flaky:1' });
      children.push(second.child);
      const state = await waitForState(googleClient(second.url, token), jobId, undefined, 30_000);
      expect(state.state).toBe('COMPLETE');
      expect(await jobsSql.findJob(store.db, jobId)).toMatchObject({ attempt: 3, transient_failures: 1 });
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    } finally {
      await store.close();
      rmSync(drainDir, { recursive: true, force: true });
    }
  });
});
