import type { AccessType } from './states.js';
import { TIME_BASED_INTERVAL_MS } from './states.js';
import { JobError } from './errors.js';

/** The facts of an earlier job that the export limits look at. */
export interface PriorJob {
  id: string;
  resources: readonly string[];
  accessType: AccessType;
  createdAt: number;
}

/**
 * Throws RESOURCE_EXHAUSTED when `requested` may not be exported now:
 * - one-time access: each group once per user+client until authorization.reset;
 * - time-based access: each group once per 24 hours.
 * Pure: the caller supplies the prior jobs that still count (not cleared by reset, not retries).
 */
export function checkExportLimits(accessType: AccessType, requested: readonly string[], prior: readonly PriorJob[], now: number): void {
  const wanted = new Set(requested);
  const overlapping = prior.filter((job) => job.resources.some((r) => wanted.has(r)));
  if (accessType === 'ACCESS_TYPE_ONE_TIME') {
    const used = overlapping.filter((job) => job.accessType === 'ACCESS_TYPE_ONE_TIME');
    if (used.length > 0) {
      throw new JobError('ONE_TIME_EXHAUSTED', [], { previous_job_ids: used.map((j) => j.id).join(',') });
    }
    return;
  }
  const recent = overlapping.filter((job) => job.createdAt > now - TIME_BASED_INTERVAL_MS);
  if (recent.length > 0) {
    const nextAllowed = new Date(Math.max(...recent.map((j) => j.createdAt)) + TIME_BASED_INTERVAL_MS).toISOString();
    throw new JobError('TIME_BASED_EXHAUSTED', [nextAllowed], {
      previous_job_ids: recent.map((j) => j.id).join(','),
      timestamp_after_24hrs: nextAllowed,
    });
  }
}
