import { jobsSql, type BlobStore, type Db, type JobRow } from '../store/index.js';
import type { JobQueue } from '../queue/index.js';

/**
 * Deletes archives past their retention (or expired by authorization.reset); returns how many jobs' archives.
 * `onCollected` hears of each one (what `dataport gc` prints).
 */
export async function collectExpiredArchives(
  deps: { db: Db; blobs: BlobStore; now: () => number; onCollected?: (job: JobRow) => void; operator?: string },
  batch = 100,
): Promise<number> {
  let collected = 0;
  for (;;) {
    const expired = await jobsSql.listExpiredArchives(deps.db, deps.now(), batch);
    for (const job of expired) {
      await deps.blobs.deletePrefix(`archives/${job.id}/`);
      const at = deps.now();
      await jobsSql.markArchiveDeleted(deps.db, job.id, at, {
        at,
        action: 'archive.delete',
        actor: deps.operator ? 'operator' : 'system',
        operator: deps.operator,
        userId: job.user_id,
        clientId: job.client_id,
        jobId: job.id,
        detail: { expiredAt: job.archive_expires_at },
      });
      collected++;
      deps.onCollected?.(job);
    }
    if (expired.length < batch) return collected;
  }
}

/**
 * Deletes what finished jobs left unpublished under `archives/<job>/`: the partial file (and unfinished S3
 * upload) of a run that died and was then cancelled or failed, which no run is left to clean up, and a
 * COMPLETE job's earlier attempts. Returns how many jobs it looked at.
 *
 * A run learns within a third of a lease that its job was cancelled or taken over, then deletes its own
 * output; until `settleMs` (one lease) after a job finished, such a run may still be writing, so the job is
 * swept on every pass meanwhile and marked done only after. Jobs whose runs cannot have left anything (never
 * claimed, or COMPLETE by their first run) are marked without touching the blob store.
 */
export async function deleteUnpublishedOutputs(deps: { db: Db; blobs: BlobStore; now: () => number }, settleMs: number, batch = 100): Promise<number> {
  let seen = 0;
  for (;;) {
    const jobs = await jobsSql.listUnsweptFinishedJobs(deps.db, batch);
    const settledBefore = deps.now() - settleMs;
    let unsettled = false;
    for (const job of jobs) {
      const prefix = `archives/${job.id}/`;
      if (job.state === 'COMPLETE') {
        // The published parts are under the last attempt's folder; the earlier attempts' are leftovers.
        if (job.archive_deleted_at === null) {
          for (let attempt = 1; attempt < job.attempt; attempt++) await deps.blobs.deletePrefix(`${prefix}${attempt}/`);
        }
      } else if (job.attempt > 0) {
        await deps.blobs.deletePrefix(prefix);
      }
      seen++;
      if ((job.finished_at ?? 0) <= settledBefore) await jobsSql.markOutputsSwept(deps.db, job.id, deps.now());
      else unsettled = true;
    }
    // Ordered by finish time: past an unsettled job, the rest are unsettled too and stay for the next pass.
    if (jobs.length < batch || unsettled) return seen;
  }
}

/**
 * Takes over the jobs whose run's lease lapsed (the worker was killed, lost its machine, or hangs): each is
 * dispatched again ahead of new work, or its waiting delivery moved ahead (a delivery waiting at the back of
 * the queue is no takeover). Run about every quarter of a lease, so a killed worker's job runs again about one
 * lease after the kill, however long the backlog. Returns the lapsed jobs' ids.
 */
export async function takeOverLapsedJobs(deps: { db: Db; queue: Pick<JobQueue, 'redispatch'>; now: () => number }): Promise<string[]> {
  const lapsed = await jobsSql.listLapsedJobs(deps.db, deps.now(), 100);
  for (const job of lapsed) await deps.queue.redispatch(job.id);
  return lapsed.map((job) => job.id);
}

/**
 * Dispatches IN_PROGRESS jobs that no queue item will ever deliver (the process died between committing
 * the job and enqueueing it). Jobs younger than `graceMs` are left alone: their dispatch may be under way.
 */
export async function redispatchOrphanedJobs(
  deps: { db: Db; queue: Pick<JobQueue, 'dispatch' | 'hasPending'>; now: () => number },
  graceMs: number,
): Promise<number> {
  const now = deps.now();
  let n = 0;
  for (const job of await jobsSql.listOrphanedJobs(deps.db, 100)) {
    if (job.created_at > now - graceMs) continue;
    if (await deps.queue.hasPending(job.id)) continue;
    await deps.queue.dispatch(job.id);
    n++;
  }
  return n;
}
