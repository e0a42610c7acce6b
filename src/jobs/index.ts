export { createJobService, type JobServiceDeps } from './service.js';
export { JobError, type JobErrorCode } from './errors.js';
export { JOB_STATES, MAX_RETRIES_PER_JOB, TIME_BASED_INTERVAL_MS, type JobState, type AccessType } from './states.js';
export { checkExportLimits, type PriorJob } from './limits.js';
export type {
  Caller,
  InitiateRequest,
  InitiateResult,
  ArchiveState,
  TimedArchiveState,
  AccessTypeResult,
  DownloadableArchive,
  JobDispatcher,
  JobService,
} from './types.js';
export { createOperatorJobs, type OperatorJobs, type JobDetails, type JobListFilter } from './operator.js';
