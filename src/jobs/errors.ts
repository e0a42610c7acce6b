/**
 * Every error the jobs domain raises, in one table. These know nothing of HTTP: `api/google-errors.ts`
 * maps each code to a status and reason, and a missing row there fails to compile.
 */
export const JOB_ERROR_MESSAGES = {
  INVALID_REQUEST: 'Invalid request: %s',
  UNKNOWN_RESOURCE: 'Unknown resource group: %s',
  RESOURCES_NOT_AUTHORIZED: 'The requested resources are not authorized by the OAuth token.',
  TIME_FILTER_NOT_SUPPORTED: 'startTime and endTime are not supported for resource group: %s',
  INVALID_TIME_RANGE: 'startTime must not be after endTime.',
  ONE_TIME_EXHAUSTED: 'Requested resources have already been exported with this one-time authorization.',
  TIME_BASED_EXHAUSTED: 'Requested resources were exported less than 24 hours ago; try again after %s.',
  ALREADY_EXISTS: 'An identical archive job is already in progress: %s',
  JOB_NOT_FOUND: 'Archive job not found.',
  NOT_RETRYABLE: 'Only a FAILED archive job can be retried; this job is %s.',
  ALREADY_RETRIED: 'This archive job has already been retried: archive job %s is %s. Poll that job instead.',
  RETRY_LIMIT_REACHED: 'This archive job has been retried the maximum of %s times; new consent is required.',
  NOT_CANCELLABLE: 'Only an IN_PROGRESS archive job can be cancelled; this job is %s.',
  TOO_MANY_JOBS: 'Quota exceeded: at most %s archive jobs may be in progress for one user at a time; wait for one to finish or cancel one.',
} as const;

export type JobErrorCode = keyof typeof JOB_ERROR_MESSAGES;

export class JobError extends Error {
  override readonly name = 'JobError';
  constructor(
    readonly code: JobErrorCode,
    args: readonly string[] = [],
    /** Machine-readable facts a client may act on (Google puts them in ErrorInfo metadata). */
    readonly metadata: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    let i = 0;
    super(
      JOB_ERROR_MESSAGES[code].replace(/%s/g, () => args[i++] ?? ''),
      options,
    );
  }
}
