import type { Db } from '../database.js';
import type { SignInThrottleTable } from '../schema.js';

export type ThrottleRow = SignInThrottleTable;

export async function findBucket(db: Db, key: string): Promise<ThrottleRow | undefined> {
  return db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Inserts a new bucket; false when another request inserted the same key first (the caller reads again). */
export async function insertBucket(db: Db, row: ThrottleRow): Promise<boolean> {
  const r = await db
    .insertInto('sign_in_throttle')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Replaces a bucket only if nobody changed it since it was read at `version`: two requests that read the same
 * state cannot both claim from it (PostgreSQL re-checks the WHERE after a concurrent update; SQLite has one writer).
 */
export async function replaceBucket(db: Db, expectedVersion: number, row: ThrottleRow): Promise<boolean> {
  const r = await db
    .updateTable('sign_in_throttle')
    .set({ attempts: row.attempts, window_start: row.window_start, next_at: row.next_at, expires_at: row.expires_at, version: row.version })
    .where('key', '=', row.key)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Undoes a claim that turned out unused: puts back the state read before it (or deletes a bucket it created),
 * only if the bucket is still at the claim's version. Claimed by someone else since, it stays as it is.
 */
export async function restoreBucket(db: Db, key: string, claimedVersion: number, previous: ThrottleRow | undefined): Promise<void> {
  if (!previous) {
    await db.deleteFrom('sign_in_throttle').where('key', '=', key).where('version', '=', claimedVersion).execute();
    return;
  }
  await db
    .updateTable('sign_in_throttle')
    .set({
      attempts: previous.attempts,
      window_start: previous.window_start,
      next_at: previous.next_at,
      expires_at: previous.expires_at,
      version: claimedVersion + 1,
    })
    .where('key', '=', key)
    .where('version', '=', claimedVersion)
    .execute();
}

export async function deleteBucket(db: Db, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}

/** Gives one counted attempt back (a successful sign-in); never below zero, and the wait already set stands. */
export async function refundAttempt(db: Db, key: string): Promise<void> {
  await db
    .updateTable('sign_in_throttle')
    .set((eb) => ({ attempts: eb('attempts', '-', 1), version: eb('version', '+', 1) }))
    .where('key', '=', key)
    .where('attempts', '>', 0)
    .execute();
}

export async function deleteExpiredBuckets(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('sign_in_throttle').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
