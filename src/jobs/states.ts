/**
 * An archive job's states, as the protocol names them.
 *
 *   IN_PROGRESS ──export done──▶ COMPLETE
 *        │ ├──permanent error / attempts spent──▶ FAILED ──retry──▶ (a new job, IN_PROGRESS)
 *        │ └──cancel──▶ CANCELLED
 *
 * COMPLETE, FAILED and CANCELLED are final: a job never leaves them.
 */
export const JOB_STATES = Object.freeze(['IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED'] as const);
export type JobState = (typeof JOB_STATES)[number];

export const ACCESS_TYPES = Object.freeze(['ACCESS_TYPE_ONE_TIME', 'ACCESS_TYPE_TIME_BASED'] as const);
export type AccessType = (typeof ACCESS_TYPES)[number];

/** Google allows three retries of one failed job without new consent. */
export const MAX_RETRIES_PER_JOB = 3;

/** A time-based grant allows one export of each resource group per 24 hours. */
export const TIME_BASED_INTERVAL_MS = 24 * 3_600_000;
