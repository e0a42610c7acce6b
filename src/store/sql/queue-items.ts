import type { Db } from '../database.js';
import { preparedQuery, type Slots } from './prepared-query.js';

// Each job passes through enqueue, lock and delete once: prepared queries (prepared-query.ts), not built ones.
const insertItem = preparedQuery((db, p: Slots<{ jobId: string; runAt: number }>) =>
  db.insertInto('queue_items').values({ job_id: p.jobId, run_at: p.runAt, locked_until: null, lock_owner: null, deliveries: 0 }),
);

export async function enqueueItem(db: Db, jobId: string, runAt: number): Promise<void> {
  await insertItem(db, { jobId, runAt });
}

const lockNext = preparedQuery((db, p: Slots<{ owner: string; now: number; lockedUntil: number }>) =>
  db
    .updateTable('queue_items')
    .set((eb) => ({ locked_until: p.lockedUntil, lock_owner: p.owner, deliveries: eb('deliveries', '+', 1) }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('queue_items')
        .select('id')
        .where('run_at', '<=', p.now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', p.now)]))
        .orderBy('run_at')
        .orderBy('id')
        .limit(1),
    )
    .returning(['id', 'job_id', 'deliveries']),
);

/**
 * Locks the next due item for `owner` until `lockedUntil`. One statement, so two workers on the same
 * database never take the same item (and no transaction of its own): this is only used embedded.
 */
export async function lockNextItem(
  db: Db,
  owner: string,
  now: number,
  lockedUntil: number,
): Promise<{ id: number; job_id: string; deliveries: number } | undefined> {
  const [item] = await lockNext(db, { owner, now, lockedUntil });
  return item;
}

export async function extendItemLock(db: Db, id: number, owner: string, lockedUntil: number): Promise<boolean> {
  const r = await db.updateTable('queue_items').set({ locked_until: lockedUntil }).where('id', '=', id).where('lock_owner', '=', owner).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

const deleteItemRow = preparedQuery((db, p: Slots<{ id: number }>) => db.deleteFrom('queue_items').where('id', '=', p.id));

export async function deleteItem(db: Db, id: number): Promise<void> {
  await deleteItemRow(db, { id });
}

/** Hands an item back to run again at `runAt` (after a failed delivery or on shutdown). */
export async function releaseItem(db: Db, id: number, runAt: number): Promise<void> {
  await db.updateTable('queue_items').set({ locked_until: null, lock_owner: null, run_at: runAt }).where('id', '=', id).execute();
}

/** Makes the job's items due before every other (run_at 0); returns how many it has. */
export async function moveItemsAhead(db: Db, jobId: string): Promise<number> {
  const r = await db.updateTable('queue_items').set({ run_at: 0 }).where('job_id', '=', jobId).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function hasPendingItemFor(db: Db, jobId: string): Promise<boolean> {
  const r = await db.selectFrom('queue_items').select('id').where('job_id', '=', jobId).executeTakeFirst();
  return r !== undefined;
}
