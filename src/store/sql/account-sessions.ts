import type { Db } from '../database.js';
import type { AccountSessionsTable } from '../schema.js';

export type AccountSessionRow = AccountSessionsTable;

export async function insertSession(db: Db, row: AccountSessionRow): Promise<void> {
  await db.insertInto('account_sessions').values(row).execute();
}

/** The live session with this id hash, if it belongs to `accountId`. */
export async function findLiveSession(db: Db, idHash: string, accountId: string, now: number): Promise<AccountSessionRow | undefined> {
  return db
    .selectFrom('account_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('account_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Db, accountId: string): Promise<number> {
  const r = await db.deleteFrom('account_sessions').where('account_id', '=', accountId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('account_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
