import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

// Migrations are written once for both engines: only types both accept (text, bigint, integer).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('access', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('grants_user_client').on('grants').columns(['user_id', 'client_id']).execute();

  await db.schema
    .createTable('access_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('access_tokens_grant').on('access_tokens').column('grant_id').execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('access_type', 'text', (c) => c.notNull())
    .addColumn('start_time', 'bigint')
    .addColumn('end_time', 'bigint')
    .addColumn('export_time', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('retry_of', 'text')
    .addColumn('limits_cleared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('transient_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure_reason', 'text')
    .addColumn('finished_at', 'bigint')
    .addColumn('archive_expires_at', 'bigint')
    .addColumn('archive_deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_owner_created').on('jobs').columns(['user_id', 'client_id', 'created_at']).execute();
  await db.schema.createIndex('jobs_state').on('jobs').columns(['state', 'lease_expires_at']).execute();
  await db.schema.createIndex('jobs_retry_of').on('jobs').column('retry_of').execute();
  await db.schema.createIndex('jobs_archive_expiry').on('jobs').columns(['archive_deleted_at', 'archive_expires_at']).execute();

  await db.schema
    .createTable('archive_parts')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('part_index', 'integer', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('downloaded_at', 'bigint')
    .addPrimaryKeyConstraint('archive_parts_pk', ['job_id', 'part_index'])
    .execute();

  await db.schema
    .createTable('demo_fault_claims')
    .addColumn('fault_key', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('demo_fault_claims_pk', ['fault_key', 'job_id'])
    .execute();
  await db.schema
    .createTable('demo_fault_counters')
    .addColumn('fault_key', 'text', (c) => c.primaryKey())
    .addColumn('used', 'integer', (c) => c.notNull())
    .execute();

  // The embedded queue. The PostgreSQL deployment dispatches through pg-boss instead and leaves it empty.
  const isPg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('queue_items')
    .addColumn('id', isPg ? 'bigserial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('lock_owner', 'text')
    .addColumn('deliveries', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('queue_items_due').on('queue_items').columns(['run_at', 'locked_until']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['queue_items', 'demo_fault_counters', 'demo_fault_claims', 'archive_parts', 'jobs', 'access_tokens', 'grants']) {
    await db.schema.dropTable(t).execute();
  }
}
