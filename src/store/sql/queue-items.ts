import type { Db } from '../database.js';

export async function enqueueItem(db: Db, jobId: string, runAt: number): Promise<void> {
  await db.insertInto('queue_items').values({ job_id: jobId, run_at: runAt, locked_until: null, lock_owner: null, deliveries: 0 }).execute();
}

/**
 * Locks the next due item for `owner` until `lockedUntil`. One statement, so two workers on the same
 * database never take the same item: SQLite has a single writer, and this is only used embedded.
 */
export async function lockNextItem(
  db: Db,
  owner: string,
  now: number,
  lockedUntil: number,
): Promise<{ id: number; job_id: string; deliveries: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const next = await trx
      .selectFrom('queue_items')
      .select(['id'])
      .where('run_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .orderBy('run_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!next) return undefined;
    return trx
      .updateTable('queue_items')
      .set((eb) => ({ locked_until: lockedUntil, lock_owner: owner, deliveries: eb('deliveries', '+', 1) }))
      .where('id', '=', next.id)
      .returning(['id', 'job_id', 'deliveries'])
      .executeTakeFirst();
  });
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

export async function deleteItem(db: Db, id: number): Promise<void> {
  await db.deleteFrom('queue_items').where('id', '=', id).execute();
}

/** Hands an item back to run again at `runAt` (after a failed delivery or on shutdown). */
export async function releaseItem(db: Db, id: number, runAt: number): Promise<void> {
  await db.updateTable('queue_items').set({ locked_until: null, lock_owner: null, run_at: runAt }).where('id', '=', id).execute();
}

export async function hasPendingItemFor(db: Db, jobId: string): Promise<boolean> {
  const r = await db.selectFrom('queue_items').select('id').where('job_id', '=', jobId).executeTakeFirst();
  return r !== undefined;
}

