import { trace } from '@opentelemetry/api';
import type { Catalog } from '../catalog/index.js';
import { archiveFileName, auditSql, grants, jobsSql, type AuditEntry, type AuditOrigin, type Db, type JobRow, type SignedUrlOptions } from '../store/index.js';
import { JobError } from './errors.js';
import { checkExportLimits, type PriorJob } from './limits.js';
import { MAX_RETRIES_PER_JOB, TIME_BASED_INTERVAL_MS, type AccessType } from './states.js';
import type {
  AccessTypeResult,
  ArchiveState,
  Caller,
  DownloadableArchive,
  InitiateRequest,
  InitiateResult,
  JobDispatcher,
  JobService,
  TimedArchiveState,
} from './types.js';
import { covers, grantStandsFor } from './visibility.js';
import { activeTraceParent, withSpan } from '../tracing/index.js';

export interface JobServiceDeps {
  db: Db;
  catalog: Catalog;
  dispatcher: JobDispatcher;
  /**
   * Signs a download URL for an archive part. Every URL leads to this server's download route, which checks
   * the consent behind the archive before it serves a byte (docs/scale.md: why not S3's presigned URLs).
   */
  downloadUrl: (blobKey: string, options: SignedUrlOptions) => Promise<string> | string;
  now: () => number;
  newJobId: () => string;
  urlLifetimeSeconds: number;
  /** IN_PROGRESS jobs one user may have at once, across all clients; 0 = no cap. */
  maxJobsPerUser?: number;
  /** Revokes every grant and token of the user for the client (the auth module's part of a reset). */
  revokeAuthorization: (userId: string, clientId: string, reason: 'reset', origin?: AuditOrigin & { actor?: 'user' | 'client' | 'operator' }) => Promise<void>;
  /** Told when a job is cancelled, so a run in this process can stop at once instead of at its next heartbeat. */
  onCancelled?: (jobId: string) => void;
}

/** The archive-job domain: the six protocol methods, as functions of a caller and a request. */
export function createJobService(deps: JobServiceDeps): JobService {
  const { db, catalog, now } = deps;

  /** The audit entry of an action the caller (an app, or an operator acting as the job's owner) took. */
  function auditEntry(
    caller: Caller,
    action: AuditEntry['action'],
    at: number,
    origin: AuditOrigin | undefined,
    jobId?: string,
    detail?: Record<string, unknown>,
  ): AuditEntry {
    return {
      at,
      action,
      actor: origin?.operator ? 'operator' : 'client',
      userId: caller.userId,
      clientId: caller.clientId,
      operator: origin?.operator,
      ip: origin?.ip,
      jobId,
      ...(detail ? { detail } : {}),
    };
  }

  /** `origin.requestId`: the HTTP request's id, stored with the job (with the trace's traceparent) for its run's logs and span. */
  async function initiateArchive(caller: Caller, request: InitiateRequest, origin?: AuditOrigin & { requestId?: string }): Promise<InitiateResult> {
    return withSpan('jobs.initiate', { attributes: { 'dataport.access_type': caller.accessType, 'dataport.client_id': caller.clientId } }, async (span) => {
      const result = await initiateInSpan(caller, request, origin);
      span.setAttribute('dataport.job.id', result.archiveJobId);
      return result;
    });
  }

  async function initiateInSpan(caller: Caller, request: InitiateRequest, origin?: AuditOrigin & { requestId?: string }): Promise<InitiateResult> {
    const resources = validateResources(caller, request.resources);
    trace.getActiveSpan()?.setAttribute('dataport.resource_groups', resources);
    const { startTime, endTime } = validateWindow(resources, request.startTime, request.endTime);
    const resourcesJson = JSON.stringify(resources);
    const at = now();
    const job = await db.transaction().execute(async (trx) => {
      await jobsSql.lockUser(trx, caller.userId);
      const running = await jobsSql.findInProgressJob(trx, {
        userId: caller.userId,
        clientId: caller.clientId,
        resources: resourcesJson,
        startTime: startTime ?? null,
        endTime: endTime ?? null,
      });
      if (running) throw new JobError('ALREADY_EXISTS', [running.id], { job_id: running.id });
      const since = caller.accessType === 'ACCESS_TYPE_ONE_TIME' ? 0 : at - TIME_BASED_INTERVAL_MS;
      const prior = await jobsSql.listLimitingJobs(trx, caller.userId, caller.clientId, since);
      checkExportLimits(caller.accessType, resources, prior.map(toPriorJob), at);
      await checkUserJobCap(trx, caller.userId);
      const row = newJobRow(caller, resourcesJson, caller.accessType, startTime ?? null, endTime ?? null, endTime ?? at, at, null, origin?.requestId);
      await jobsSql.insertJob(trx, row);
      await auditSql.appendAudit(
        trx,
        auditEntry(caller, 'initiate', at, origin, row.id, {
          resources,
          accessType: row.access_type,
          ...(row.start_time !== null ? { startTime: row.start_time } : {}),
          ...(row.end_time !== null ? { endTime: row.end_time } : {}),
        }),
      );
      return { ...row, dispatched: await deps.dispatcher.dispatchWithin?.(trx, row.id) };
    });
    await dispatchAfterCommit(job.id, job.dispatched);
    return { archiveJobId: job.id, accessType: job.access_type };
  }

  /** A job's delivery, once the transaction that inserted the job has committed: written in it (wake the workers), or sent now. */
  async function dispatchAfterCommit(jobId: string, dispatched: (() => void) | undefined): Promise<void> {
    if (dispatched) dispatched();
    else await deps.dispatcher.dispatch(jobId);
  }

  async function getArchiveState(caller: Caller, jobId: string): Promise<TimedArchiveState> {
    // The job and its parts in one read: this is the method clients poll.
    const job = await jobsSql.findOwnedJobState(db, jobId, caller.userId, caller.clientId);
    const at = now();
    if (!job || !visibleTo(caller, JSON.parse(job.resources) as string[], job.grant, at)) throw new JobError('JOB_NOT_FOUND');
    const state: ArchiveState = {
      name: `archiveJobs/${job.id}/portabilityArchiveState`,
      state: job.state,
      exportTime: new Date(job.export_time).toISOString(),
    };
    if (job.start_time !== null) state.startTime = new Date(job.start_time).toISOString();
    // Without a write, the answer changes when the job's grant expires (the job is then not found), and with
    // URLs at the next second: a signed URL's expiry is in whole seconds.
    let holdsUntil = job.grant?.expires_at ?? Infinity;
    if (job.state === 'COMPLETE') {
      const parts = job.archive_deleted_at === null ? job.parts : [];
      // Signed afresh on every poll, so each answer carries URLs valid for the full lifetime.
      state.urls = await Promise.all(
        // eslint-disable-next-line @typescript-eslint/await-thenable -- a store may sign synchronously or not; Promise.all takes both
        parts.map((p) =>
          deps.downloadUrl(p.blob_key, {
            expiresInSeconds: deps.urlLifetimeSeconds,
            downloadName: archiveFileName(job, p.part_index, parts.length),
          }),
        ),
      );
      holdsUntil = Math.min(holdsUntil, (Math.floor(at / 1000) + 1) * 1000);
    }
    return { state, holdsUntil };
  }

  async function retryJob(caller: Caller, jobId: string, origin?: AuditOrigin & { requestId?: string }): Promise<{ archiveJobId: string }> {
    const failed = await findOwned(caller, jobId);
    if (failed.state !== 'FAILED') throw new JobError('NOT_RETRYABLE', [failed.state]);
    const resources = JSON.parse(failed.resources) as string[];
    validateResources(caller, resources);
    const originalId = failed.retry_of ?? failed.id;
    const at = now();
    const job = await db.transaction().execute(async (trx) => {
      await jobsSql.lockUser(trx, caller.userId);
      const retries = await jobsSql.listRetries(trx, originalId);
      // One lineage yields at most one archive: once a retry runs or has completed, retrying the failed job
      // again (or a failed sibling) would export the same groups twice under one-time access.
      const live = retries.find((r) => r.state === 'IN_PROGRESS' || r.state === 'COMPLETE');
      if (live) throw new JobError('ALREADY_RETRIED', [live.id, live.state], { job_id: live.id });
      if (retries.length >= MAX_RETRIES_PER_JOB) {
        throw new JobError('RETRY_LIMIT_REACHED', [String(MAX_RETRIES_PER_JOB)]);
      }
      await checkUserJobCap(trx, caller.userId);
      // Same resources and the same window: an open-ended window ends where the failed job's did.
      const row = newJobRow(
        caller,
        failed.resources,
        failed.access_type,
        failed.start_time,
        failed.end_time,
        failed.export_time,
        at,
        originalId,
        origin?.requestId,
      );
      await jobsSql.insertJob(trx, row);
      await auditSql.appendAudit(trx, auditEntry(caller, 'retry', at, origin, row.id, { retryOf: failed.id }));
      return { ...row, dispatched: await deps.dispatcher.dispatchWithin?.(trx, row.id) };
    });
    await dispatchAfterCommit(job.id, job.dispatched);
    return { archiveJobId: job.id };
  }

  async function cancelJob(caller: Caller, jobId: string, origin?: AuditOrigin): Promise<Record<string, never>> {
    const job = await findOwned(caller, jobId);
    const at = now();
    const cancelled = await db.transaction().execute(async (trx) => {
      if (!(await jobsSql.cancelJob(trx, job.id, at))) return false;
      await auditSql.appendAudit(trx, auditEntry(caller, 'cancel', at, origin, job.id));
      return true;
    });
    if (!cancelled) {
      const current = await jobsSql.findJob(db, job.id);
      throw new JobError('NOT_CANCELLABLE', [current?.state ?? job.state]);
    }
    deps.onCancelled?.(job.id);
    return {};
  }

  async function resetAuthorization(caller: Caller, origin?: AuditOrigin): Promise<Record<string, never>> {
    const running = await jobsSql.listJobs(db, { state: 'IN_PROGRESS', userId: caller.userId, clientId: caller.clientId, limit: 1000 });
    // Revoking the grants cancels their running jobs (store/sql/grants.ts); a run in this process stops now.
    await deps.revokeAuthorization(caller.userId, caller.clientId, 'reset', { ...origin, actor: origin?.operator ? 'operator' : 'client' });
    const at = now();
    await db.transaction().execute(async (trx) => {
      await jobsSql.clearLimitsAndExpireArchives(trx, caller.userId, caller.clientId, at);
      await auditSql.appendAudit(trx, auditEntry(caller, 'reset', at, origin, undefined, { cancelledJobIds: running.map((j) => j.id) }));
    });
    for (const job of running) deps.onCancelled?.(job.id);
    return {};
  }

  function checkAccessType(caller: Caller): AccessTypeResult {
    const all = [...caller.resources].sort();
    return caller.accessType === 'ACCESS_TYPE_ONE_TIME' ? { oneTimeResources: all, timeBasedResources: [] } : { oneTimeResources: [], timeBasedResources: all };
  }

  /**
   * The per-user cap on concurrent jobs (one user's exports cannot take every worker), across all of their apps.
   * Checked under the user's lock (jobsSql.lockUser), so concurrent initiates through different apps cannot all pass it.
   */
  async function checkUserJobCap(trx: Db, userId: string): Promise<void> {
    const cap = deps.maxJobsPerUser ?? 0;
    if (cap > 0 && (await jobsSql.countInProgressJobsOfUser(trx, userId)) >= cap) {
      throw new JobError('TOO_MANY_JOBS', [String(cap)], { quota_limit: 'ConcurrentArchiveJobsPerUser', quota_limit_value: String(cap) });
    }
  }

  async function findOwned(caller: Caller, jobId: string): Promise<JobRow> {
    const job = await jobsSql.findOwnedJob(db, jobId, caller.userId, caller.clientId);
    // Another user's or client's job gets the same answer as a missing one: its existence is not revealed.
    if (!job) throw new JobError('JOB_NOT_FOUND');
    const grant = await grants.findGrant(db, job.grant_id);
    if (!visibleTo(caller, JSON.parse(job.resources) as string[], grant ?? null, now())) throw new JobError('JOB_NOT_FOUND');
    return job;
  }

  /** A job of a withdrawn consent, or of groups the caller does not hold, is answered as a missing one. */
  function visibleTo(caller: Caller, jobResources: readonly string[], grant: jobsSql.GrantStanding | null, at: number): boolean {
    return covers(caller.resources, jobResources) && grantStandsFor(grant, jobResources, at);
  }

  /**
   * Whether the archive part stored under `blobKey` may be downloaded now: its job is COMPLETE, its archive
   * has neither expired (retention, authorization.reset) nor been deleted, and the grant that made it stands
   * and covers its groups. The download route asks on every request: a signed URL alone is not enough.
   */
  async function isDownloadable(blobKey: string): Promise<boolean> {
    return (await downloadableArchive(blobKey)) !== undefined;
  }

  /** As isDownloadable, answering with the archive's job and owner (for the download's audit entry), or undefined. */
  async function downloadableArchive(blobKey: string): Promise<DownloadableArchive | undefined> {
    const part = await jobsSql.findPartForDownload(db, blobKey);
    if (!part || part.state !== 'COMPLETE' || part.archive_deleted_at !== null) return undefined;
    const at = now();
    if (part.archive_expires_at !== null && part.archive_expires_at <= at) return undefined;
    if (!grantStandsFor(part.grant, JSON.parse(part.resources) as string[], at)) return undefined;
    return { jobId: part.job_id, userId: part.user_id, clientId: part.client_id, requestId: part.request_id, traceParent: part.trace_parent };
  }

  function validateResources(caller: Caller, requested: readonly string[]): string[] {
    if (requested.length === 0) throw new JobError('INVALID_REQUEST', ['resources must name at least one resource group']);
    const unique = [...new Set(requested)].sort();
    const unknown = unique.filter((r) => !catalog.get(r));
    if (unknown.length > 0) throw new JobError('UNKNOWN_RESOURCE', [unknown.join(', ')]);
    const granted = new Set(caller.resources);
    if (unique.some((r) => !granted.has(r))) throw new JobError('RESOURCES_NOT_AUTHORIZED');
    return unique;
  }

  function validateWindow(resources: readonly string[], start?: Date, end?: Date) {
    if (start === undefined && end === undefined) return {};
    const unsupported = resources.filter((r) => !catalog.get(r)!.supportsTimeFilter);
    if (unsupported.length > 0) throw new JobError('TIME_FILTER_NOT_SUPPORTED', [unsupported.join(', ')]);
    if (start && end && start.getTime() > end.getTime()) throw new JobError('INVALID_TIME_RANGE');
    return { startTime: start?.getTime(), endTime: end?.getTime() };
  }

  function newJobRow(
    caller: Caller,
    resources: string,
    accessType: AccessType,
    startTime: number | null,
    endTime: number | null,
    exportTime: number,
    at: number,
    retryOf: string | null,
    requestId: string | undefined,
  ): JobRow {
    return {
      id: deps.newJobId(),
      user_id: caller.userId,
      client_id: caller.clientId,
      grant_id: caller.grantId,
      resources,
      access_type: accessType,
      start_time: startTime,
      end_time: endTime,
      export_time: exportTime,
      state: 'IN_PROGRESS',
      created_at: at,
      updated_at: at,
      retry_of: retryOf,
      limits_cleared: 0,
      attempt: 0,
      lease_owner: null,
      lease_expires_at: null,
      transient_failures: 0,
      failure_reason: null,
      finished_at: null,
      archive_expires_at: null,
      archive_deleted_at: null,
      outputs_swept_at: null,
      // The run's log lines and span follow the request that made the job (a retry's own request, not the first's).
      request_id: requestId ?? null,
      trace_parent: activeTraceParent() ?? null,
    };
  }

  return { initiateArchive, getArchiveState, retryJob, cancelJob, resetAuthorization, checkAccessType, isDownloadable, downloadableArchive };
}

function toPriorJob(row: jobsSql.LimitingJob): PriorJob {
  return { id: row.id, resources: JSON.parse(row.resources) as string[], accessType: row.access_type, createdAt: row.created_at };
}
