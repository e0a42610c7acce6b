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
