import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { dialectOf } from '../dialect.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable, WebhookEventsTable } from '../schema.js';

export type WebhookEndpointRow = WebhookEndpointsTable;
export type WebhookEventRow = Omit<WebhookEventsTable, 'seq'> & { seq: number };
export type WebhookDeliveryRow = Omit<WebhookDeliveriesTable, 'id'> & { id: number };

/** The event types Dataport sends (docs/webhooks.md). */
export const WEBHOOK_EVENT_TYPES = ['archive_job.completed', 'archive_job.failed', 'archive_job.cancelled', 'authorization.revoked'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Runs `fn` in a transaction, or in the caller's when `db` is one already (kysely does not nest them). */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

// ---- endpoints (the operator's `dataport clients webhook …`)

export async function findEndpoint(db: Db, clientId: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function listEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('client_id').execute();
}

/** Creates or replaces the client's endpoint; a replaced one is enabled again. */
export async function upsertEndpoint(db: Db, row: WebhookEndpointRow): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('webhook_endpoints').where('client_id', '=', row.client_id).execute();
    await trx.insertInto('webhook_endpoints').values(row).execute();
  });
}

export async function updateEndpoint(
  db: Db,
  clientId: string,
  set: Partial<
    Pick<WebhookEndpointRow, 'url' | 'events' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_until' | 'disabled_at' | 'disabled_reason'>
  >,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('webhook_endpoints')
    .set({ ...set, updated_at: now })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Removes the endpoint and the events not yet delivered to it (delivered ones stay for the log). */
export async function deleteEndpoint(db: Db, clientId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const r = await trx.deleteFrom('webhook_endpoints').where('client_id', '=', clientId).executeTakeFirst();
    await trx.deleteFrom('webhook_events').where('client_id', '=', clientId).where('state', '=', 'pending').execute();
    return Number(r.numDeletedRows) > 0;
  });
}

/** Disables the endpoint and logs it, unless it is disabled already; true when this call disabled it. */
export async function disableEndpoint(db: Db, clientId: string, reason: string, now: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable('webhook_endpoints')
      .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
      .where('client_id', '=', clientId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await logDelivery(trx, {
      client_id: clientId,
      event_id: null,
      kind: 'disabled',
      attempt: null,
      url: null,
      status: null,
      latency_ms: null,
      error: reason,
      at: now,
    });
    return true;
  });
}

// ---- the outbox

export interface NewWebhookEvent {
  clientId: string;
  type: WebhookEventType;
  /** The user as the client knows them (the `sub` of its tokens); events of one user are delivered in order. */
  userId: string;
  data: Record<string, unknown>;
  at: number;
  dedupeKey?: string;
}

/**
 * Writes the event to the outbox when the client has an endpoint that takes its type. Call it with the
 * transaction that makes the change it reports: the event exists exactly when the change does.
 */
export async function enqueueEvent(db: Db, event: NewWebhookEvent): Promise<boolean> {
  const endpoint = await db.selectFrom('webhook_endpoints').select('events').where('client_id', '=', event.clientId).executeTakeFirst();
  if (!endpoint || !(JSON.parse(endpoint.events) as string[]).includes(event.type)) return false;
  const payload = JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data: { user_id: event.userId, ...event.data } });
  let q = db.insertInto('webhook_events').values({
    id: `msg_${randomBytes(16).toString('base64url')}`,
    client_id: event.clientId,
    order_key: event.userId,
    type: event.type,
    payload,
    dedupe_key: event.dedupeKey ?? null,
    created_at: event.at,
    state: 'pending',
    attempts: 0,
    retry_from: event.at,
    next_attempt_at: event.at,
    locked_until: null,
    lock_owner: null,
    delivered_at: null,
  });
  if (event.dedupeKey) q = q.onConflict((oc) => oc.column('dedupe_key').doNothing());
  const r = await q.executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 1n) > 0;
}

/** A job's end as the client learns it: never its URLs, which the client fetches with its own token. */
export interface JobEventFacts {
  id: string;
  client_id: string;
  user_id: string;
  resources: string;
  export_time: number;
}

export async function enqueueJobEvent(
  db: Db,
  job: JobEventFacts,
  type: 'archive_job.completed' | 'archive_job.failed' | 'archive_job.cancelled',
  extra: Record<string, unknown>,
  at: number,
): Promise<void> {
  await enqueueEvent(db, {
    clientId: job.client_id,
    userId: job.user_id,
    type,
    at,
    data: { archive_job_id: job.id, resources: JSON.parse(job.resources) as string[], export_time: new Date(job.export_time).toISOString(), ...extra },
  });
}

/**
 * Time-based grants that lapsed (no write marks that moment) after `since`: one `authorization.revoked` event
 * each, at most once (dedupe key), for clients with an endpoint. Returns how many were written. `since` is the
 * webhook log's retention: an event is pruned (pruneHistory) only once it is older than that, and its grant lapsed
 * before the event was written, so a grant whose event was pruned is never found again here.
 */
export async function enqueueLapsedGrantEvents(db: Db, now: number, since: number, limit = 500): Promise<number> {
  const lapsed = await db
    .selectFrom('grants as g')
    .innerJoin('webhook_endpoints as e', 'e.client_id', 'g.client_id')
    .select(['g.id', 'g.user_id', 'g.client_id', 'g.expires_at'])
    .where('g.revoked_at', 'is', null)
    .where('g.expires_at', '<=', now)
    .where('g.expires_at', '>', since)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_events as w')
            .select('w.seq')
            .where('w.dedupe_key', '=', sql<string>`${'lapsed:'} || g.id`),
        ),
      ),
    )
    .limit(limit)
    .execute();
  let written = 0;
  for (const g of lapsed) {
    const done = await enqueueEvent(db, {
      clientId: g.client_id,
      userId: g.user_id,
      type: 'authorization.revoked',
      at: now,
      dedupeKey: `lapsed:${g.id}`,
      data: { reason: 'expired', expired_at: new Date(g.expires_at!).toISOString() },
    });
    if (done) written++;
  }
  return written;
}

/**
 * Claims up to `limit` due events for `owner` until `lockedUntil`: of each client's user only the oldest
 * pending event (so one user's events arrive in order), and only for enabled endpoints. One statement; on
 * PostgreSQL the rows are taken with `for update skip locked`, so workers never wait on each other.
 */
export async function claimDueEvents(db: Db, owner: string, now: number, lockedUntil: number, limit: number): Promise<WebhookEventRow[]> {
  const pg = dialectOf(db) === 'postgres';
  const rows = await sql<WebhookEventRow>`
    update webhook_events set lock_owner = ${owner}, locked_until = ${lockedUntil}
    where seq in (
      select e.seq from webhook_events as e
      join webhook_endpoints as p on p.client_id = e.client_id and p.disabled_at is null
      where e.state = 'pending' and e.next_attempt_at <= ${now} and (e.locked_until is null or e.locked_until < ${now})
        and not exists (
          select 1 from webhook_events as o
          where o.client_id = e.client_id and o.order_key = e.order_key and o.state = 'pending' and o.seq < e.seq
        )
      order by e.seq limit ${limit}
      ${pg ? sql`for update of e skip locked` : sql``}
    )
    returning *`.execute(db);
  return rows.rows.map((r) => ({ ...r, seq: Number(r.seq) })).sort((a, b) => a.seq - b.seq);
}

/** Ends an attempt: delivered, failed for good, or due again at `nextAttemptAt`; logs it in the same transaction. */
export async function settleAttempt(
  db: Db,
  event: Pick<WebhookEventRow, 'id' | 'client_id'>,
  owner: string,
  outcome: { state: 'delivered' | 'failed' | 'pending'; nextAttemptAt: number; log: Omit<WebhookDeliveryRow, 'id' | 'client_id' | 'event_id' | 'kind'> },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable('webhook_events')
      .set((eb) => ({
        state: outcome.state,
        attempts: eb('attempts', '+', 1),
        next_attempt_at: outcome.nextAttemptAt,
        locked_until: null,
        lock_owner: null,
        delivered_at: outcome.state === 'delivered' ? outcome.log.at : null,
      }))
      .where('id', '=', event.id)
      .where('lock_owner', '=', owner)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    await logDelivery(trx, { client_id: event.client_id, event_id: event.id, kind: 'attempt', ...outcome.log });
    return Number(r.numUpdatedRows) > 0;
  });
}

/** When the endpoint last took a delivery (2xx); undefined if never. */
export async function lastSuccessAt(db: Db, clientId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('client_id', '=', clientId)
    .where('kind', '=', 'attempt')
    .where('status', '>=', 200)
    .where('status', '<', 300)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

async function logDelivery(db: Db, row: Omit<WebhookDeliveryRow, 'id'>): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

/** The client's delivery log, newest first. */
export async function listDeliveries(db: Db, clientId: string, limit: number): Promise<(WebhookDeliveryRow & { type: string | null })[]> {
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .leftJoin('webhook_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select('e.type')
    .where('d.client_id', '=', clientId)
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

async function findEvent(db: Db, id: string): Promise<WebhookEventRow | undefined> {
  const row = await db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, seq: Number(row.seq) };
}

/** The client's events, oldest first (tests, the log). */
export async function listEvents(db: Db, clientId: string, limit: number): Promise<WebhookEventRow[]> {
  const rows = await db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Makes an event due again now, with a fresh retry window (the operator's redelivery); logs it. */
export async function redeliverEvent(db: Db, id: string, now: number): Promise<WebhookEventRow | undefined> {
  return inTransaction(db, async (trx) => {
    const event = await findEvent(trx, id);
    if (!event) return undefined;
    await trx
      .updateTable('webhook_events')
      .set({ state: 'pending', retry_from: now, next_attempt_at: now, locked_until: null, lock_owner: null, delivered_at: null })
      .where('id', '=', id)
      .execute();
    await logDelivery(trx, {
      client_id: event.client_id,
      event_id: id,
      kind: 'redeliver',
      attempt: null,
      url: null,
      status: null,
      latency_ms: null,
      error: null,
      at: now,
    });
    return event;
  });
}

/**
 * Deletes the delivery log and settled events (delivered, or given up on) older than `before`; pending events are
 * kept whatever their age (they are still owed). A pruned event can no longer be redelivered.
 */
export async function pruneHistory(db: Db, before: number): Promise<{ events: number; deliveries: number }> {
  const deliveries = await db.deleteFrom('webhook_deliveries').where('at', '<', before).executeTakeFirst();
  const events = await db.deleteFrom('webhook_events').where('state', '<>', 'pending').where('created_at', '<', before).executeTakeFirst();
  return { events: Number(events.numDeletedRows), deliveries: Number(deliveries.numDeletedRows) };
}
