import type { Kysely } from 'kysely';

/**
 * The sign-in throttle's buckets and server-side account sessions.
 *
 * `sign_in_throttle` replaces `sign_in_failures` (one row per failure, never pruned, counted *after* the
 * password check, so parallel guesses all got checked): one row per key (an account, a client address, or
 * both), claimed with a compare-and-set on `version` *before* the password is checked, and deleted once
 * `expires_at` has passed.
 *
 * `account_sessions` holds the account page's sessions by the sha256 of their id, so signing out or removing
 * the user ends them on the server; the cookie alone no longer proves a session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_throttle_expiry').on('sign_in_throttle').column('expires_at').execute();
  await db.schema.dropTable('sign_in_failures').execute();

  await db.schema
    .createTable('account_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_sessions_account').on('account_sessions').column('account_id').execute();
  await db.schema.createIndex('account_sessions_expiry').on('account_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_sessions').execute();
  await db.schema.dropTable('sign_in_throttle').execute();
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_failures_account').on('sign_in_failures').columns(['account_id', 'failed_at']).execute();
}
