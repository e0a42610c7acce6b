import { jobsSql, type BlobStore, type Db, type JobRow } from '../store/index.js';
import type { JobQueue } from '../queue/index.js';

/**
 * Deletes archives past their retention (or expired by authorization.reset); returns how many jobs' archives.
 * `onCollected` hears of each one (what `dataport gc` prints).
 */
export async function collectExpiredArchives(
  deps: { db: Db; blobs: BlobStore; now: () => number; onCollected?: (job: JobRow) => void },
  batch = 100,
): Promise<number> {
  let collected = 0;
  for (;;) {
    const expired = await jobsSql.listExpiredArchives(deps.db, deps.now(), batch);
    for (const job of expired) {
      await deps.blobs.deletePrefix(`archives/${job.id}/`);
      await jobsSql.markArchiveDeleted(deps.db, job.id, deps.now());
      collected++;
      deps.onCollected?.(job);
    }
    if (expired.length < batch) return collected;
  }
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
  for (const job of await jobsSql.listOrphanedJobs(deps.db, now, 100)) {
    if (job.created_at > now - graceMs) continue;
    if (await deps.queue.hasPending(job.id)) continue;
    await deps.queue.dispatch(job.id);
    n++;
  }
  return n;
}
