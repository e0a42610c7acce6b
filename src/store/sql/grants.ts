import type { Db } from '../database.js';
import type { GrantsTable } from '../schema.js';
import { withdrawJobsOfGrants } from './jobs.js';

export type GrantRow = GrantsTable;

export async function insertGrant(db: Db, grant: GrantRow): Promise<void> {
  await db.insertInto('grants').values(grant).execute();
}

export async function findGrant(db: Db, id: string): Promise<GrantRow | undefined> {
  return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGrantsForUser(db: Db, userId: string): Promise<GrantRow[]> {
  return db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
}

// Every way a grant ends goes through one of the three functions below, and each withdraws the grants' jobs
// with it (jobs.ts withdrawJobsOfGrants): consent is the key to the archives it made.

/** Revokes every live grant of the user for the client, cancelling their running jobs; returns their ids. */
export async function revokeGrantsOf(db: Db, userId: string, clientId: string, now: number): Promise<string[]> {
  const rows = await db
    .updateTable('grants')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  const ids = rows.map((r) => r.id);
  await withdrawJobsOfGrants(db, ids, now);
  return ids;
}

/** Revokes one grant and cancels its running jobs. */
export async function revokeGrant(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  const revoked = Number(r.numUpdatedRows) > 0;
  if (revoked) await withdrawJobsOfGrants(db, [id], now);
  return revoked;
}

/** Revokes every live grant held by the client, for all users (the client was removed), cancelling their jobs; returns their ids. */
export async function revokeGrantsOfClient(db: Db, clientId: string, now: number): Promise<string[]> {
  const rows = await db
    .updateTable('grants')
    .set({ revoked_at: now })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  const ids = rows.map((r) => r.id);
  await withdrawJobsOfGrants(db, ids, now);
  return ids;
}
