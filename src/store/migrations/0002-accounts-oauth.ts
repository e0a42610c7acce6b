import type { Kysely } from 'kysely';

/**
 * Local accounts, registered OAuth clients, oidc-provider's storage and the sign-in throttle.
 * Written once for both engines, like 0001: only text, bigint and integer columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // null for accounts that sign in through the upstream OpenID Connect provider only.
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // oidc-provider compares the presented secret with this value, so it is kept as issued (null: public client).
    .addColumn('secret', 'text')
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // One table for every oidc-provider model. `id` is the sha256 of the provider's id, so a leaked row
  // never holds a usable access token, refresh token or code.
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute();
  // oidc-provider revokes by grantId and finds sessions by uid: without these indexes revocation still
  // works, but scans the whole table.
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
  await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').column('user_code').execute();
  await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('sign_in_failures')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_failures_account').on('sign_in_failures').columns(['account_id', 'failed_at']).execute();

  // Whether the consent asked for offline access (a refresh token); Google's `access_type=offline`.
  await db.schema
    .alterTable('grants')
    .addColumn('offline_access', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('grants').dropColumn('offline_access').execute();
  for (const t of ['sign_in_failures', 'oidc_payloads', 'oauth_clients', 'accounts']) {
    await db.schema.dropTable(t).execute();
  }
}
