import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { jobRunsSql, jobsSql, openDatabase } from '../../src/store/index.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../helpers/scaled-stack.js';

describe.skipIf(scaledStackUnavailable !== undefined)(
  `a killed worker's job is taken over${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`,
  () => {
    const children: ChildProcess[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const clean of cleanups.reverse()) await clean();
    });

    it('ahead of the jobs queued after it: the next worker runs it after at most the one job it had already taken', async () => {
      const database = await createTestDatabase();
      cleanups.push(database.drop);
      const bucket = await createTestBucket();
      cleanups.push(bucket.drop);
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-takeover-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 1 });
      cleanups.push(() => store.close());
      const env = {
        DATAPORT_DATABASE_URL: database.url,
        ...bucket.env,
        DATAPORT_DATA_DIR: dataDir,
        DATAPORT_JOB_LEASE: '2s',
        DATAPORT_DEMO_RECORDS: '20',
        DATAPORT_WORKER_CONCURRENCY: '1',
        DATAPORT_EXPORT_THREADS: '0',
        DATAPORT_LOG_LEVEL: 'warn',
      };
      const server = await startServerProcess(env, 'serve');
      children.push(server.child);
      const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
      const initiate = async (userId: string) => {
        const { accessToken } = await tokens.grantAndIssueToken({ userId, clientId: 'c', resources: ['chrome.history'], access: 'once' });
        const api = googleClient(server.url, accessToken);
        const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
        return { api, jobId: data.archiveJobId! };
      };

      // The first worker takes the job and never finishes it; it is killed mid-export.
      const victim = await startWorkerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=slow:600000' });
      children.push(victim.child);
      const lost = await initiate('lost');
      const claimed = Date.now() + 30_000;
      while (!(await jobsSql.findJob(store.db, lost.jobId))?.lease_owner?.includes(`:${victim.child.pid}:`)) {
        if (Date.now() > claimed) throw new Error(`the worker never claimed the job:\n${victim.logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      victim.child.kill('SIGKILL');
      await new Promise((r) => victim.child.once('exit', r));

      // Three jobs queue up behind it, and its lease lapses before any worker is left to notice.
      const queued = [await initiate('queued-1'), await initiate('queued-2'), await initiate('queued-3')];
      const lapsed = Date.now() + 30_000;
      while (((await jobsSql.findJob(store.db, lost.jobId))!.lease_expires_at ?? 0) >= Date.now()) {
        if (Date.now() > lapsed) throw new Error('the lease never lapsed');
        await new Promise((r) => setTimeout(r, 100));
      }

      // One worker, one export at a time: the order it runs them in is the order they finish in.
      const next = await startWorkerProcess(env);
      children.push(next.child);
      for (const job of [lost, ...queued]) expect((await waitForState(job.api, job.jobId, undefined, 60_000)).state).toBe('COMPLETE');
      const finishedAt = async (jobId: string) => (await jobsSql.findJob(store.db, jobId))!.finished_at!;
      const lostAt = await finishedAt(lost.jobId);
      const queuedBefore = [];
      for (const job of queued) if ((await finishedAt(job.jobId)) < lostAt) queuedBefore.push(job.jobId);
      // The worker may have fetched the first queued job before its first sweep saw the lapsed lease; no more.
      expect(queuedBefore.length).toBeLessThanOrEqual(1);
      expect((await jobsSql.findJob(store.db, lost.jobId))!.attempt).toBe(2);
      // Its runs (the console's history): the killed worker's, closed as lapsed by the claim that took over, then
      // the other worker's, which published.
      const runs = await jobRunsSql.listRuns(store.db, lost.jobId);
      expect(runs.map((r) => [r.attempt, r.outcome, r.worker.includes(`:${victim.child.pid}:`)])).toEqual([
        [1, 'lapsed', true],
        [2, 'complete', false],
      ]);
      expect(runs[1]!.records).toBeGreaterThan(0);
    }, 180_000);
  },
);
