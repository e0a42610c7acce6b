import type { Db } from '../database.js';
import type { OauthClientsTable } from '../schema.js';

export type OauthClientRow = OauthClientsTable;

export async function insertClient(db: Db, row: OauthClientRow): Promise<void> {
  await db.insertInto('oauth_clients').values(row).execute();
}

export async function findClient(db: Db, id: string): Promise<OauthClientRow | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listClients(db: Db): Promise<OauthClientRow[]> {
  return db.selectFrom('oauth_clients').selectAll().orderBy('created_at').execute();
}

export async function deleteClient(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Replaces a confidential client's secret hash; false when there is no such client or it is public. */
export async function replaceSecret(db: Db, id: string, secretSha256: string): Promise<boolean> {
  const r = await db
    .updateTable('oauth_clients')
    .set({ secret_sha256: secretSha256 })
    .where('id', '=', id)
    .where('secret_sha256', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
