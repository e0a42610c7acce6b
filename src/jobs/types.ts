import type { AuditOrigin, Db } from '../store/index.js';
import type { AccessType, JobState } from './states.js';

/** Who is calling: established by the API from the access token, trusted by the jobs domain. */
export interface Caller {
  readonly userId: string;
  readonly clientId: string;
  readonly grantId: string;
  /** Resource groups the token grants. */
  readonly resources: readonly string[];
  readonly accessType: AccessType;
}

export interface InitiateRequest {
  readonly resources: readonly string[];
  readonly startTime?: Date | undefined;
  readonly endTime?: Date | undefined;
}

export interface InitiateResult {
  archiveJobId: string;
  accessType: AccessType;
}

export interface ArchiveState {
  name: string;
  state: JobState;
  urls?: string[];
  startTime?: string;
  exportTime: string;
}

/** getArchiveState's answer, and until when it holds if nothing is written meanwhile (ms since the epoch). */
export interface TimedArchiveState {
  state: ArchiveState;
  /**
   * The job's grant's expiry (the job is then not found) and, for an answer with URLs, the end of the second
   * they were signed in (a signed URL's expiry is in whole seconds), whichever comes first.
   */
  holdsUntil: number;
}

export interface AccessTypeResult {
  oneTimeResources: string[];
  timeBasedResources: string[];
}

/** How new jobs reach workers. */
export interface JobDispatcher {
  dispatch(jobId: string): Promise<void>;
  /**
   * A queue kept in the jobs' own database (embedded) writes the delivery inside `trx`, the transaction that
   * inserts the job, and returns what to do once it has committed (wake the workers). One commit per initiate
   * instead of two, so one wait for the disk (store/group-commit.ts), and no job is ever without its delivery.
   */
  dispatchWithin?(trx: Db, jobId: string): Promise<() => void>;
}

/** A part that may be downloaded: its job, owner, and the request (and trace) that made the job. */
export interface DownloadableArchive {
  jobId: string;
  userId: string;
  clientId: string;
  requestId: string | null;
  traceParent: string | null;
}

/** The archive-job domain: the six protocol methods, as functions of a caller and a request. */
export interface JobService {
  /** `origin.requestId`: the HTTP request that made the job, carried to its worker's logs. */
  initiateArchive(caller: Caller, request: InitiateRequest, origin?: AuditOrigin & { requestId?: string }): Promise<InitiateResult>;
  /** Reads the job and its parts on every call (the API keeps answers in its poll cache, api/poll-cache.ts). */
  getArchiveState(caller: Caller, jobId: string): Promise<TimedArchiveState>;
  retryJob(caller: Caller, jobId: string, origin?: AuditOrigin & { requestId?: string }): Promise<{ archiveJobId: string }>;
  cancelJob(caller: Caller, jobId: string, origin?: AuditOrigin): Promise<Record<string, never>>;
  resetAuthorization(caller: Caller, origin?: AuditOrigin): Promise<Record<string, never>>;
  checkAccessType(caller: Caller): AccessTypeResult;
  /**
   * Whether the archive part stored under `blobKey` may be downloaded now: its job is COMPLETE, its archive
   * has neither expired (retention, authorization.reset) nor been deleted, and the grant that made it stands
   * and covers its groups. The download route asks on every request: a signed URL alone is not enough.
   */
  isDownloadable(blobKey: string): Promise<boolean>;
  /** As isDownloadable, answering with the archive's job and owner (for the download's audit entry), or undefined. */
  downloadableArchive(blobKey: string): Promise<DownloadableArchive | undefined>;
}
