import type { Db } from '../database.js';
import type { AccountsTable } from '../schema.js';

export type AccountRow = AccountsTable;

/** Creates the account, or replaces its password when it exists. */
export async function upsertAccount(db: Db, row: AccountRow): Promise<void> {
  await db
    .insertInto('accounts')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ password_hash: row.password_hash }))
    .execute();
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAccounts(db: Db): Promise<AccountRow[]> {
  return db.selectFrom('accounts').selectAll().orderBy('id').execute();
}

export async function deleteAccount(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function recordSignInFailure(db: Db, accountId: string, at: number): Promise<void> {
  await db.insertInto('sign_in_failures').values({ account_id: accountId, failed_at: at }).execute();
}

export async function countSignInFailuresSince(db: Db, accountId: string, since: number): Promise<{ count: number; oldest: number | null }> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('failed_at').as('oldest')])
    .where('account_id', '=', accountId)
    .where('failed_at', '>', since)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
}

export async function clearSignInFailures(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('account_id', '=', accountId).execute();
}
