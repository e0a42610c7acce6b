import type { Db } from '../database.js';
import { fixedQuery } from './fixed-query.js';

// Each job passes through enqueue, lock and delete once: fixed queries (fixed-query.ts), not built ones.
const insertItem = fixedQuery('insert into queue_items (job_id, run_at, locked_until, lock_owner, deliveries) values (?, ?, null, null, 0)');

export async function enqueueItem(db: Db, jobId: string, runAt: number): Promise<void> {
  await insertItem(db, [jobId, runAt]);
}

const lockNext = fixedQuery<{ id: number; job_id: string; deliveries: number }>(
  'update queue_items set locked_until = ?, lock_owner = ?, deliveries = deliveries + 1 where id = ('
  + 'select id from queue_items where run_at <= ? and (locked_until is null or locked_until < ?) order by run_at, id limit 1'
  + ') returning id, job_id, deliveries',
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
  const [item] = await lockNext(db, [lockedUntil, owner, now, now]);
  return item;
}

export async function extendItemLock(db: Db, id: number, owner: string, lockedUntil: number): Promise<boolean> {
  const r = await db
    .updateTable('queue_items')
    .set({ locked_until: lockedUntil })
    .where('id', '=', id)
    .where('lock_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

const deleteItemRow = fixedQuery('delete from queue_items where id = ?');

export async function deleteItem(db: Db, id: number): Promise<void> {
  await deleteItemRow(db, [id]);
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

