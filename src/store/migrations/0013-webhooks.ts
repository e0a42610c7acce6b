import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Signed completion notifications (Standard Webhooks; docs/webhooks.md):
 * - `webhook_endpoints`: one endpoint per OAuth client, set by the operator. The HMAC secrets are sealed
 *   (AES-256-GCM under a key derived from the data folder's signing key): the server must sign with them, so
 *   a hash would not do, and a copy of the database alone holds no usable secret.
 * - `webhook_events`: the durable outbox, written in the same transaction as the job's or grant's change.
 *   `seq` orders one user's events to one client (`order_key`); delivery takes only the oldest pending one.
 * - `webhook_deliveries`: the delivery log (`dataport webhooks log`): one row per attempt, disabling, redelivery.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_secret_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('disabled_reason', 'text')
    .execute();
  await db.schema
    .createTable('webhook_events')
    .addColumn('seq', isPg ? 'bigserial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_from', 'bigint', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('lock_owner', 'text')
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('webhook_events_due').on('webhook_events').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_events_order').on('webhook_events').columns(['client_id', 'order_key', 'state', 'seq']).execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', isPg ? 'bigserial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer')
    .addColumn('url', 'text')
    .addColumn('status', 'integer')
    .addColumn('latency_ms', 'integer')
    .addColumn('error', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_client').on('webhook_deliveries').columns(['client_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['webhook_deliveries', 'webhook_events', 'webhook_endpoints']) await db.schema.dropTable(t).execute();
}
