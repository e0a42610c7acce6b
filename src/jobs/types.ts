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

export interface AccessTypeResult {
  oneTimeResources: string[];
  timeBasedResources: string[];
}

/** How new jobs reach workers. */
export interface JobDispatcher {
  dispatch(jobId: string): Promise<void>;
}
