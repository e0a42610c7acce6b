import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { jobRunsSql, jobsSql } from '../../src/store/index.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestDeployment } from '../helpers/scaled-deployment.js';
import { scaledStackUnavailable } from '../helpers/scaled-stack.js';

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
      const { env: deployment, store, tokenFor, claimedBy } = await createTestDeployment(cleanups, 'takeover');
      const env = {
        ...deployment,
        DATAPORT_JOB_LEASE: '2s',
        DATAPORT_DEMO_RECORDS: '20',
        DATAPORT_WORKER_CONCURRENCY: '1',
        DATAPORT_EXPORT_THREADS: '0',
        DATAPORT_LOG_LEVEL: 'warn',
      };
      const server = await startServerProcess(env, 'serve');
      children.push(server.child);
      const initiate = async (userId: string) => {
        const api = googleClient(server.url, await tokenFor(userId, ['chrome.history']));
        const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
        return { api, jobId: data.archiveJobId! };
      };

      // The first worker takes the job and never finishes it; it is killed mid-export.
      const victim = await startWorkerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=slow:600000' });
      children.push(victim.child);
      const lost = await initiate('lost');
      await claimedBy(lost.jobId, victim);
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
