/** The wire types of Data Portability API v1, as Google documents them (and Dataport serves them). */

export type AccessType = 'ACCESS_TYPE_UNSPECIFIED' | 'ACCESS_TYPE_ONE_TIME' | 'ACCESS_TYPE_TIME_BASED';
export type ArchiveJobState = 'STATE_UNSPECIFIED' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'CANCELLED';

export interface InitiateRequest {
  resources: string[];
  /** RFC 3339; only for the groups that support time filters. */
  startTime?: string;
  endTime?: string;
}

export interface InitiateResponse {
  archiveJobId: string;
  accessType?: AccessType;
}

export interface PortabilityArchiveState {
  name: string;
  state: ArchiveJobState;
  /** Signed download URLs, one per archive part; only when COMPLETE. */
  urls?: string[];
  startTime?: string;
  exportTime?: string;
}

export interface RetryResponse {
  archiveJobId: string;
}

export interface AccessTypeCheckResponse {
  oneTimeResources?: string[];
  timeBasedResources?: string[];
}
