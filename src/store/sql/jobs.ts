import { sql } from 'kysely';
import { dialectOf } from '../dialect.js';
import type { Db } from '../database.js';
import type { ArchivePartsTable, JobsTable } from '../schema.js';
import { preparedQuery, type Slots } from './prepared-query.js';
import { enqueueJobEvent, inTransaction } from './webhooks.js';
import { appendAudit, type AuditEntry } from './audit.js';

export type JobRow = JobsTable;
export type ArchivePartRow = ArchivePartsTable;

const JOB_COLUMNS = [
  'id',
  'user_id',
  'client_id',
  'grant_id',
  'resources',
  'access_type',
  'start_time',
  'end_time',
  'export_time',
  'state',
  'created_at',
  'updated_at',
  'retry_of',
  'limits_cleared',
  'attempt',
  'lease_owner',
  'lease_expires_at',
  'transient_failures',
  'failure_reason',
  'finished_at',
  'archive_expires_at',
  'archive_deleted_at',
  'outputs_swept_at',
  'request_id',
  'trace_parent',
] as const satisfies readonly (keyof JobRow)[];
// Every column, so a column added to JobRow and not here fails to compile below.
const jobColumnsComplete: Exclude<keyof JobRow, (typeof JOB_COLUMNS)[number]> extends never ? true : never = true;
void jobColumnsComplete;

// The statements each job runs once or twice (initiate, claim, publish) are prepared queries (prepared-query.ts):
// at 200 initiates a second, building them with kysely cost the main thread about as much as running them.
const insertJobRow = preparedQuery((db, p: Slots<JobRow>) =>
  db.insertInto('jobs').values(Object.fromEntries(JOB_COLUMNS.map((c) => [c, p[c]])) as Slots<JobRow>),
);

export async function insertJob(db: Db, job: JobRow): Promise<void> {
  await insertJobRow(db, job);
}

export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A job as its owner sees it: undefined for a missing job and for another user's or client's alike. */
export async function findOwnedJob(db: Db, id: string, userId: string, clientId: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
}

/** What getArchiveState answers from: a job's owner, state and times, and its parts' keys in order. */
export interface JobStateRow {
  id: string;
  user_id: string;
  client_id: string;
  grant_id: string;
  /** JSON array of the job's resource groups. */
  resources: string;
  state: JobRow['state'];
  export_time: number;
  start_time: number | null;
  archive_deleted_at: number | null;
  /** The grant that made the job, as far as its standing goes (null when the grant row is missing). */
  grant: GrantStanding | null;
  parts: { part_index: number; blob_key: string }[];
}

/** What decides whether a grant still stands and which groups it covers. */
export interface GrantStanding {
  revoked_at: number | null;
  expires_at: number | null;
  /** JSON array of the granted resource groups. */
  resources: string;
}

// getArchiveState's read on every poll: only the columns the answer needs (building a row object costs
// per column), the job and its parts in one prepared statement (prepared-query.ts).
// The grant that made the job comes along: a job is visible only while that grant stands (jobs/visibility.ts).
const selectOwnedJobState = preparedQuery((db, p: Slots<{ id: string; userId: string; clientId: string }>) =>
  db
    .selectFrom('jobs as j')
    .leftJoin('grants as g', 'g.id', 'j.grant_id')
    .leftJoin('archive_parts as p', 'p.job_id', 'j.id')
    .select([
      'j.id',
      'j.user_id',
      'j.client_id',
      'j.grant_id',
      'j.resources',
      'j.state',
      'j.export_time',
      'j.start_time',
      'j.archive_deleted_at',
      'g.id as g_id',
      'g.revoked_at as g_revoked_at',
      'g.expires_at as g_expires_at',
      'g.resources as g_resources',
      'p.part_index',
      'p.blob_key',
    ])
    .where('j.id', '=', p.id)
    .where('j.user_id', '=', p.userId)
    .where('j.client_id', '=', p.clientId)
    .orderBy('p.part_index'),
);

/** The job as its owner polls it: undefined for a missing job and for another user's or client's alike. */
export async function findOwnedJobState(db: Db, id: string, userId: string, clientId: string): Promise<JobStateRow | undefined> {
  const rows = await selectOwnedJobState(db, { id, userId, clientId });
  const first = rows[0];
  if (!first) return undefined;
  const parts: JobStateRow['parts'] = [];
  for (const r of rows) if (r.part_index !== null) parts.push({ part_index: r.part_index, blob_key: r.blob_key! });
  return {
    id: first.id,
    user_id: first.user_id,
    client_id: first.client_id,
    grant_id: first.grant_id,
    resources: first.resources,
    state: first.state,
    export_time: first.export_time,
    start_time: first.start_time,
    archive_deleted_at: first.archive_deleted_at,
    grant: first.g_id === null ? null : { revoked_at: first.g_revoked_at, expires_at: first.g_expires_at, resources: first.g_resources! },
    parts,
  };
}

/** A part as the download route checks it: its job, and the standing of the grant that made the job. */
export interface DownloadablePartRow {
  job_id: string;
  user_id: string;
  client_id: string;
  state: JobRow['state'];
  resources: string;
  archive_expires_at: number | null;
  archive_deleted_at: number | null;
  /** The request that made the job, and its trace (a download's log line and span point back to them). */
  request_id: string | null;
  trace_parent: string | null;
  grant: GrantStanding | null;
}

const selectPartForDownload = preparedQuery((db, p: Slots<{ blobKey: string }>) =>
  db
    .selectFrom('archive_parts as p')
    .innerJoin('jobs as j', 'j.id', 'p.job_id')
    .leftJoin('grants as g', 'g.id', 'j.grant_id')
    .select([
      'j.id as job_id',
      'j.user_id',
      'j.client_id',
      'j.state',
      'j.resources',
      'j.archive_expires_at',
      'j.archive_deleted_at',
      'j.request_id',
      'j.trace_parent',
      'g.id as g_id',
      'g.revoked_at as g_revoked_at',
      'g.expires_at as g_expires_at',
      'g.resources as g_resources',
    ])
    .where('p.blob_key', '=', p.blobKey),
);

/** The part stored under `blobKey` with what decides whether it may still be downloaded; undefined when unknown. */
export async function findPartForDownload(db: Db, blobKey: string): Promise<DownloadablePartRow | undefined> {
  const [row] = await selectPartForDownload(db, { blobKey });
  if (!row) return undefined;
  return {
    job_id: row.job_id,
    user_id: row.user_id,
    client_id: row.client_id,
    state: row.state,
    resources: row.resources,
    archive_expires_at: row.archive_expires_at,
    archive_deleted_at: row.archive_deleted_at,
    request_id: row.request_id,
    trace_parent: row.trace_parent,
    grant: row.g_id === null ? null : { revoked_at: row.g_revoked_at, expires_at: row.g_expires_at, resources: row.g_resources! },
  };
}

/** Jobs of the user+client that still count towards export limits (originals only, not retries). */
export type LimitingJob = Pick<JobRow, 'id' | 'resources' | 'access_type' | 'created_at'>;

const selectLimitingJobs = preparedQuery((db, p: Slots<{ userId: string; clientId: string; createdSince: number }>) =>
  db
    .selectFrom('jobs')
    .select(['id', 'resources', 'access_type', 'created_at'])
    .where('user_id', '=', p.userId)
    .where('client_id', '=', p.clientId)
    .where('limits_cleared', '=', 0)
    .where('retry_of', 'is', null)
    .where('created_at', '>=', p.createdSince)
    .orderBy('created_at', 'asc'),
);

/** Only the columns the limit rules read: this runs inside every initiate's transaction. */
export async function listLimitingJobs(db: Db, userId: string, clientId: string, createdSince: number): Promise<LimitingJob[]> {
  return selectLimitingJobs(db, { userId, clientId, createdSince });
}

type InProgressMatch = { userId: string; clientId: string; resources: string; startTime: number | null; endTime: number | null };

// One statement per null-ness of the window's ends: `= null` matches nothing, and `is not distinct from` is PostgreSQL's.
const selectInProgressJob = [false, true].map((startNull) =>
  [false, true].map((endNull) =>
    preparedQuery((db, p: Slots<InProgressMatch>) =>
      db
        .selectFrom('jobs')
        .selectAll()
        .where('user_id', '=', p.userId)
        .where('client_id', '=', p.clientId)
        .where('state', '=', 'IN_PROGRESS')
        .where('resources', '=', p.resources)
        .where((eb) => (startNull ? eb('start_time', 'is', null) : eb('start_time', '=', p.startTime)))
        .where((eb) => (endNull ? eb('end_time', 'is', null) : eb('end_time', '=', p.endTime)))
        .limit(1),
    ),
  ),
);

export async function findInProgressJob(db: Db, match: InProgressMatch): Promise<JobRow | undefined> {
  const [row] = await selectInProgressJob[Number(match.startTime === null)]![Number(match.endTime === null)]!(db, match);
  return row;
}

const countUserInProgress = preparedQuery((db, p: Slots<{ userId: string }>) =>
  db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', p.userId)
    .where('state', '=', 'IN_PROGRESS'),
);

/** The user's IN_PROGRESS jobs across all clients (the per-user cap on concurrent jobs). */
export async function countInProgressJobsOfUser(db: Db, userId: string): Promise<number> {
  const [row] = await countUserInProgress(db, { userId });
  return Number(row?.n ?? 0);
}

/** The retries of a failed job (every job whose `retry_of` is it), oldest first. */
export async function listRetries(db: Db, originalJobId: string): Promise<Pick<JobRow, 'id' | 'state'>[]> {
  return db.selectFrom('jobs').select(['id', 'state']).where('retry_of', '=', originalJobId).orderBy('created_at').orderBy('id').execute();
}

/**
 * Takes the job for one run: bumps `attempt` (which fences everything the run writes) and sets the lease.
 * Succeeds only for an IN_PROGRESS job whose lease is free or lapsed.
 */
const claimJobRow = preparedQuery((db, p: Slots<{ id: string; owner: string; now: number; leaseExpiresAt: number }>) =>
  db
    .updateTable('jobs')
    .set((eb) => ({ attempt: eb('attempt', '+', 1), lease_owner: p.owner, lease_expires_at: p.leaseExpiresAt, updated_at: p.now }))
    .where('id', '=', p.id)
    .where('state', '=', 'IN_PROGRESS')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', p.now)]))
    .returningAll(),
);

export async function claimJob(db: Db, id: string, owner: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
  const [row] = await claimJobRow(db, { id, owner, now, leaseExpiresAt: now + leaseMs });
  return row;
}

/** Extends the lease of the run `attempt`; false if the job was cancelled or another run took it. */
export async function renewLease(db: Db, id: string, attempt: number, now: number, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now + leaseMs })
    .where('id', '=', id)
    .where('attempt', '=', attempt)
    .where('state', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Gives the job back unchanged but for its lease, so the next delivery can claim it at once: a worker that
 * drains (SIGTERM) hands its runs back this way. Not a failure, so no attempt is spent on it: a rolling
 * restart must not use up `DATAPORT_JOB_ATTEMPTS`, which is for the source's transient errors.
 */
export async function releaseJob(db: Db, id: string, attempt: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('id', '=', id)
    .where('attempt', '=', attempt)
    .where('state', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Gives the job back after a transient failure so a later delivery can run it again. */
export async function releaseAfterTransientFailure(db: Db, id: string, attempt: number, reason: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set((eb) => ({
      lease_owner: null,
      lease_expires_at: null,
      transient_failures: eb('transient_failures', '+', 1),
      failure_reason: reason,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('attempt', '=', attempt)
    .where('state', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Publishes the run's archive in one transaction: the state change and the part rows land together or
 * not at all, and only for the run that still holds the job (same attempt, still IN_PROGRESS).
 */
const publishJobRow = preparedQuery((db, p: Slots<{ id: string; attempt: number; now: number; archiveExpiresAt: number }>) =>
  db
    .updateTable('jobs')
    .set({
      state: 'COMPLETE',
      finished_at: p.now,
      updated_at: p.now,
      lease_owner: null,
      lease_expires_at: null,
      failure_reason: null,
      archive_expires_at: p.archiveExpiresAt,
    })
    .where('id', '=', p.id)
    .where('attempt', '=', p.attempt)
    .where('state', '=', 'IN_PROGRESS')
    // A consent withdrawn while the run went on (its jobs were cancelled too, but the run may not know yet).
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('grants as g').select('g.id').whereRef('g.id', '=', 'jobs.grant_id').where('g.revoked_at', 'is not', null))),
    )
    .returning('id'),
);
const insertPartRow = preparedQuery((db, p: Slots<Omit<ArchivePartRow, 'downloaded_at'>>) =>
  db.insertInto('archive_parts').values({
    job_id: p.job_id,
    part_index: p.part_index,
    blob_key: p.blob_key,
    size_bytes: p.size_bytes,
    sha256: p.sha256,
    downloaded_at: null,
  }),
);

export async function completeJob(
  db: Db,
  id: string,
  attempt: number,
  parts: readonly Omit<ArchivePartRow, 'job_id' | 'downloaded_at'>[],
  now: number,
  archiveExpiresAt: number,
  audit?: AuditEntry,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await publishJobRow(trx, { id, attempt, now, archiveExpiresAt });
    if (updated.length === 0) return false;
    for (const p of parts) await insertPartRow(trx, { job_id: id, part_index: p.part_index, blob_key: p.blob_key, size_bytes: p.size_bytes, sha256: p.sha256 });
    // The client's notification, in the transaction that publishes: it exists exactly when the archive does.
    const job = await findJob(trx, id);
    await enqueueJobEvent(trx, job!, 'archive_job.completed', { part_count: parts.length }, now);
    // The publication's audit entry commits with it, or neither does.
    if (audit) await appendAudit(trx, audit);
    return true;
  });
}

/**
 * Ends the job FAILED (only an IN_PROGRESS one, of run `attempt` if given) and writes its notification in the
 * same transaction. `maxRetries`: how many retries one failed job allows, for the event's `retryable`.
 */
export async function failJob(db: Db, id: string, attempt: number | null, reason: string, now: number, maxRetries = 3): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    let q = trx
      .updateTable('jobs')
      .set({ state: 'FAILED', failure_reason: reason, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('state', '=', 'IN_PROGRESS');
    if (attempt !== null) q = q.where('attempt', '=', attempt);
    const r = await q.executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const job = (await findJob(trx, id))!;
    // archiveJobs.retry's rule (jobs/service.ts): the lineage's retries, this job among them if it is one.
    const retries = await listRetries(trx, job.retry_of ?? job.id);
    await enqueueJobEvent(trx, job, 'archive_job.failed', { retryable: retries.length < maxRetries }, now);
    return true;
  });
}

export async function cancelJob(db: Db, id: string, now: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable('jobs')
      .set({ state: 'CANCELLED', finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'IN_PROGRESS')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await enqueueJobEvent(trx, (await findJob(trx, id))!, 'archive_job.cancelled', { reason: 'cancelled' }, now);
    return true;
  });
}

/**
 * A withdrawn consent (reset, revocation, an app removed on the account page or by the operator): the grants'
 * running jobs are cancelled, and their archives expire now, so the next maintenance pass deletes them.
 * Downloads and polls already stop at once: they check the grant itself (jobs/visibility.ts). Returns the
 * ids of the jobs cancelled.
 */
export async function withdrawJobsOfGrants(db: Db, grantIds: readonly string[], now: number): Promise<string[]> {
  if (grantIds.length === 0) return [];
  const cancelled = await db
    .updateTable('jobs')
    .set({ state: 'CANCELLED', finished_at: now, updated_at: now })
    .where('grant_id', 'in', grantIds)
    .where('state', '=', 'IN_PROGRESS')
    .returning(['id', 'client_id', 'user_id', 'resources', 'export_time'])
    .execute();
  // The caller's transaction (grants.ts) holds these with the revocation.
  for (const job of cancelled) await enqueueJobEvent(db, job, 'archive_job.cancelled', { reason: 'authorization_revoked' }, now);
  await db
    .updateTable('jobs')
    .set({ archive_expires_at: now, updated_at: now })
    .where('grant_id', 'in', grantIds)
    .where('archive_deleted_at', 'is', null)
    .where((eb) => eb.or([eb('archive_expires_at', 'is', null), eb('archive_expires_at', '>', now)]))
    .execute();
  return cancelled.map((r) => r.id);
}

/** authorization.reset: the user+client's jobs stop counting towards limits and their archives expire now. */
export async function clearLimitsAndExpireArchives(db: Db, userId: string, clientId: string, now: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ limits_cleared: 1, updated_at: now })
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .where('limits_cleared', '=', 0)
    .execute();
  await db
    .updateTable('jobs')
    .set({ archive_expires_at: now })
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .where('archive_deleted_at', 'is', null)
    .where((eb) => eb.or([eb('archive_expires_at', 'is', null), eb('archive_expires_at', '>', now)]))
    .execute();
}

export async function listParts(db: Db, jobId: string): Promise<ArchivePartRow[]> {
  return db.selectFrom('archive_parts').selectAll().where('job_id', '=', jobId).orderBy('part_index').execute();
}

export async function markPartDownloaded(db: Db, blobKey: string, now: number): Promise<void> {
  await db.updateTable('archive_parts').set({ downloaded_at: now }).where('blob_key', '=', blobKey).where('downloaded_at', 'is', null).execute();
}

/** Finished jobs whose archive is past its expiry and not yet deleted. */
export async function listExpiredArchives(db: Db, now: number, limit: number): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('archive_deleted_at', 'is', null)
    .where('archive_expires_at', '<=', now)
    .where('state', '!=', 'IN_PROGRESS')
    .orderBy('archive_expires_at')
    .limit(limit)
    .execute();
}

/** `audit`: the deletion's audit entry, committed with it. */
export async function markArchiveDeleted(db: Db, jobId: string, now: number, audit?: AuditEntry): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('archive_parts').where('job_id', '=', jobId).execute();
    await trx.updateTable('jobs').set({ archive_deleted_at: now, updated_at: now }).where('id', '=', jobId).execute();
    if (audit) await appendAudit(trx, audit);
  });
}

/**
 * Finished jobs (COMPLETE, FAILED, CANCELLED) whose unpublished outputs have not been swept yet, those that
 * finished first first; the partial index `jobs_outputs_unswept` serves it.
 */
export async function listUnsweptFinishedJobs(db: Db, limit: number): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('outputs_swept_at', 'is', null)
    .where('state', '!=', 'IN_PROGRESS')
    .orderBy('finished_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function markOutputsSwept(db: Db, jobId: string, now: number): Promise<void> {
  await db.updateTable('jobs').set({ outputs_swept_at: now }).where('id', '=', jobId).where('state', '!=', 'IN_PROGRESS').execute();
}

/**
 * IN_PROGRESS jobs whose run's lease lapsed (its worker died or hangs), longest lapsed first: for a
 * takeover. Served by the `jobs_state (state, lease_expires_at)` index, so a backlog of never-claimed jobs
 * (lease null) costs nothing here.
 */
export async function listLapsedJobs(db: Db, now: number, limit: number): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'IN_PROGRESS')
    .where('lease_expires_at', '<', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute();
}

/**
 * IN_PROGRESS jobs nobody holds (never claimed, or handed back): for re-dispatch when their delivery was lost.
 * Those whose lease lapsed are `listLapsedJobs`'s, taken over ahead of new work.
 */
export async function listOrphanedJobs(db: Db, limit: number): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'IN_PROGRESS')
    .where('lease_expires_at', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/**
 * Serializes the limit checks of one user inside a transaction, so two concurrent initiates or retries cannot
 * both pass them: the export limits (per user and client) and the cap on a user's running jobs (across all of
 * their apps, so the lock is the user's, not the user+client's). SQLite needs nothing: its single connection runs
 * one transaction at a time.
 */
export async function lockUser(trx: Db, userId: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${userId}))`.execute(trx);
  }
}

/** What the operator's `dataport jobs list` filters on; every field is optional and they combine with AND. */
export interface JobListFilter {
  state?: JobsTable['state'] | undefined;
  userId?: string | undefined;
  clientId?: string | undefined;
  /** A resource group the job includes. */
  group?: string | undefined;
  /** Created at or after (epoch ms). */
  createdSince?: number | undefined;
  /** Created before (epoch ms). */
  createdUntil?: number | undefined;
  limit: number;
}

/** Jobs of every user and client, newest first: the operator's view. */
export async function listJobs(db: Db, filter: JobListFilter): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
  // `resources` is a JSON array of names; a quoted name matches exactly one element. LIKE's wildcards are
  // escaped so a name is matched literally.
  if (filter.group !== undefined) {
    const literal = JSON.stringify(filter.group).replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where(sql<boolean>`resources like ${`%${literal}%`} escape '\\'`);
  }
  if (filter.createdSince !== undefined) q = q.where('created_at', '>=', filter.createdSince);
  if (filter.createdUntil !== undefined) q = q.where('created_at', '<', filter.createdUntil);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

/** The retries of an original job, oldest first. */
export async function listRetriesOf(db: Db, originalJobId: string): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('retry_of', '=', originalJobId).orderBy('created_at', 'asc').execute();
}

/** Jobs per state, for the metrics (read at scrape time). */
export async function countJobsByState(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** IN_PROGRESS jobs no run holds (waiting for a worker, or between transient retries), for the metrics. */
export async function countWaitingJobs(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('state', '=', 'IN_PROGRESS')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
