import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { dialectOf } from '../dialect.js';
import type { AuditLogTable } from '../schema.js';
import { preparedQuery, type Slots } from './prepared-query.js';

export type AuditRow = AuditLogTable;

/** Every kind of entry the log holds (docs/operations.md, "Audit log"). */
export const AUDIT_ACTIONS = [
  'grant',
  'token.issue',
  'revoke',
  'initiate',
  'retry',
  'cancel',
  'reset',
  'publish',
  'download',
  'archive.delete',
  // The operator's console (web/admin): its sign-ins, client changes and emulator controls.
  'operator.sign-in',
  'client.add',
  'client.rotate',
  'emulator.faults',
  'emulator.clock',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What a caller records; `seq`, `prev_hash` and `hash` are the chain's. */
export interface AuditEntry {
  at: number;
  action: AuditAction;
  actor: 'user' | 'client' | 'operator' | 'system';
  userId?: string | null | undefined;
  clientId?: string | null | undefined;
  operator?: string | null | undefined;
  jobId?: string | null | undefined;
  detail?: Record<string, unknown>;
  ip?: string | null | undefined;
}

/** Where a request came from and who made it, as the API or the CLI knows it; passed down to where entries are written. */
export interface AuditOrigin {
  /** Client address (request.ip: X-Forwarded-For only with DATAPORT_TRUST_PROXY). */
  ip?: string | undefined;
  /** Set when an operator acted (the CLI). */
  operator?: string | undefined;
}

/** JSON with object keys sorted at every level: one text per value, whichever order it was built in. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous entry's hash and the canonical JSON of this entry's own columns. */
function entryHash(prevHash: string, row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  const body = canonicalJson({
    seq: Number(row.seq),
    at: Number(row.at),
    action: row.action,
    actor: row.actor,
    user_id: row.user_id,
    client_id: row.client_id,
    operator: row.operator,
    job_id: row.job_id,
    detail: row.detail,
    ip: row.ip,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends entries to the chain. Inside the caller's transaction when `db` is one (the entry commits or rolls
 * back with the state change it records), else in a transaction of its own. The chain's head row is read
 * FOR UPDATE on PostgreSQL, so appends from every process take turns; on SQLite the write transaction
 * (begin immediate, database.ts) already does.
 */
export async function appendAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => appendAudit(trx, ...entries));
    return;
  }
  const [head] = await selectChainHead(db, {});
  if (!head) throw new Error('audit_chain has no head row (migration 0015 not applied?)');
  let seq = Number(head.last_seq);
  let prev = head.last_hash;
  for (const e of entries) {
    seq += 1;
    const row = {
      seq,
      at: e.at,
      action: e.action,
      actor: e.actor,
      user_id: e.userId ?? null,
      client_id: e.clientId ?? null,
      operator: e.operator ?? null,
      job_id: e.jobId ?? null,
      detail: canonicalJson(e.detail ?? {}),
      ip: e.ip ?? null,
    };
    const hash = entryHash(prev, row);
    await insertEntry(db, { ...row, prev_hash: prev, hash });
    prev = hash;
  }
  await updateChainHead(db, { seq, hash: prev });
}

// Prepared: every initiate and every publish appends an entry, inside its transaction on the API's thread.
const selectChainHead = preparedQuery((db, _p: Slots<Record<string, never>>) => {
  const head = db.selectFrom('audit_chain').select(['last_seq', 'last_hash']).where('id', '=', 1);
  return dialectOf(db) === 'postgres' ? head.forUpdate() : head;
});

const insertEntry = preparedQuery((db, p: Slots<AuditRow>) =>
  db.insertInto('audit_log').values({
    seq: p.seq,
    at: p.at,
    action: p.action,
    actor: p.actor,
    user_id: p.user_id,
    client_id: p.client_id,
    operator: p.operator,
    job_id: p.job_id,
    detail: p.detail,
    ip: p.ip,
    prev_hash: p.prev_hash,
    hash: p.hash,
  }),
);

const updateChainHead = preparedQuery((db, p: Slots<{ seq: number; hash: string }>) =>
  db.updateTable('audit_chain').set({ last_seq: p.seq, last_hash: p.hash }).where('id', '=', 1),
);

export interface AuditFilter {
  userId?: string | undefined;
  clientId?: string | undefined;
  action?: string | undefined;
  jobId?: string | undefined;
  operator?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  limit?: number | undefined;
}

/** Entries matching the filter, oldest first (newest first with `newestFirst`). */
export async function listAudit(db: Db, filter: AuditFilter, newestFirst = false): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  if (filter.jobId !== undefined) q = q.where('job_id', '=', filter.jobId);
  if (filter.operator !== undefined) q = q.where('operator', '=', filter.operator);
  if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('at', '<', filter.until);
  q = q.orderBy('seq', newestFirst ? 'desc' : 'asc');
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  return (await q.execute()).map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}

/**
 * A job's trail, newest first: its own entries, and the `retry` entries of the jobs that retry it. A retry's
 * entry is the new job's (job_id) and names the job it retries in its detail (`retryOf`), so the original's
 * page finds it there; the entries themselves, and so the chain, are as written.
 */
export async function listJobTrail(db: Db, jobId: string, limit: number): Promise<AuditRow[]> {
  const retryOf = dialectOf(db) === 'postgres' ? sql<string>`(detail::jsonb ->> 'retryOf')` : sql<string>`json_extract(detail, '$.retryOf')`;
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => eb.or([eb('job_id', '=', jobId), eb.and([eb('action', '=', 'retry'), eb(retryOf, '=', jobId)])]))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}

export type AuditVerification = { ok: true; entries: number; anchorSeq: number } | { ok: false; entries: number; brokenAt: number; problem: string };

/** How many entries verification reads at a time (bounded memory for a long log). */
const VERIFY_PAGE = 1000;

/**
 * Walks the chain from its anchor: every entry must follow the one before (seq, prev_hash), its hash must be
 * what its columns give, and the last one must be the head. Says at which entry it first breaks.
 */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  const chain = await db.selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  let expectedSeq = Number(chain.anchor_seq) + 1;
  let prev = chain.anchor_hash;
  let entries = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(VERIFY_PAGE).execute();
    for (const raw of page) {
      const row = { ...raw, seq: Number(raw.seq), at: Number(raw.at) };
      if (row.seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, problem: `entry ${expectedSeq} is missing` };
      if (row.prev_hash !== prev)
        return { ok: false, entries, brokenAt: row.seq, problem: `entry ${row.seq} does not follow entry ${row.seq - 1} (previous hash differs)` };
      if (entryHash(prev, row) !== row.hash)
        return { ok: false, entries, brokenAt: row.seq, problem: `entry ${row.seq} was altered (its hash does not match its contents)` };
      prev = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (page.length < VERIFY_PAGE) break;
  }
  if (expectedSeq - 1 !== Number(chain.last_seq) || prev !== chain.last_hash) {
    return {
      ok: false,
      entries,
      brokenAt: expectedSeq,
      problem: `the chain ends at entry ${expectedSeq - 1}, but its head says ${Number(chain.last_seq)} (entries removed from the end)`,
    };
  }
  return { ok: true, entries, anchorSeq: Number(chain.anchor_seq) };
}

/**
 * Deletes entries older than `before`, oldest first, and makes the hash of the last one deleted the chain's
 * new anchor, so the rest still verifies. Returns how many were deleted.
 */
export async function pruneAudit(db: Db, before: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await selectChainHead(trx, {});
    // Only a prefix of the chain: entries are appended in time order, but a clock set back must not leave a hole.
    const last = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('at', '<', before)
      .where('seq', '<', sql<number>`(select coalesce(min(seq), ${Number.MAX_SAFE_INTEGER}) from audit_log where at >= ${before})`)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last) return 0;
    const r = await trx.deleteFrom('audit_log').where('seq', '<=', Number(last.seq)).executeTakeFirst();
    await trx
      .updateTable('audit_chain')
      .set({ anchor_seq: Number(last.seq), anchor_hash: last.hash })
      .where('id', '=', 1)
      .execute();
    return Number(r.numDeletedRows);
  });
}
