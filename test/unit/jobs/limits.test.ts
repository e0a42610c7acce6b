import { describe, expect, it } from 'vitest';
import { checkExportLimits, JobError, TIME_BASED_INTERVAL_MS } from '../../../src/jobs/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const job = (id: string, resources: string[], accessType: 'ACCESS_TYPE_ONE_TIME' | 'ACCESS_TYPE_TIME_BASED', agoMs: number) => ({
  id,
  resources,
  accessType,
  createdAt: NOW - agoMs,
});

function errorOf(fn: () => void): JobError {
  try {
    fn();
  } catch (e) {
    return e as JobError;
  }
  throw new Error('expected an error');
}

describe('export limits', () => {
  it('one-time: a group exported before is exhausted, naming every previous job that touched it', () => {
    const prior = [
      job('a', ['x', 'y'], 'ACCESS_TYPE_ONE_TIME', 1000),
      job('b', ['y'], 'ACCESS_TYPE_ONE_TIME', 500),
      job('c', ['z'], 'ACCESS_TYPE_ONE_TIME', 10),
    ];
    const e = errorOf(() => checkExportLimits('ACCESS_TYPE_ONE_TIME', ['y'], prior, NOW));
    expect(e.code).toBe('ONE_TIME_EXHAUSTED');
    expect(e.metadata).toEqual({ previous_job_ids: 'a,b' });
    expect(() => checkExportLimits('ACCESS_TYPE_ONE_TIME', ['w'], prior, NOW)).not.toThrow();
  });

  it('one-time: earlier time-based exports do not use up a one-time grant', () => {
    expect(() => checkExportLimits('ACCESS_TYPE_ONE_TIME', ['x'], [job('a', ['x'], 'ACCESS_TYPE_TIME_BASED', 1000)], NOW)).not.toThrow();
  });

  it('time-based: blocked within 24 hours, with the time the next export is allowed', () => {
    const prior = [job('a', ['x'], 'ACCESS_TYPE_TIME_BASED', 3 * 3_600_000), job('b', ['x'], 'ACCESS_TYPE_TIME_BASED', 1 * 3_600_000)];
    const e = errorOf(() => checkExportLimits('ACCESS_TYPE_TIME_BASED', ['x'], prior, NOW));
    expect(e.code).toBe('TIME_BASED_EXHAUSTED');
    expect(e.metadata.timestamp_after_24hrs).toBe(new Date(NOW - 3_600_000 + TIME_BASED_INTERVAL_MS).toISOString());
    expect(e.metadata.previous_job_ids).toBe('a,b');
  });

  it('time-based: exactly 24 hours later is allowed', () => {
    expect(() => checkExportLimits('ACCESS_TYPE_TIME_BASED', ['x'], [job('a', ['x'], 'ACCESS_TYPE_TIME_BASED', TIME_BASED_INTERVAL_MS)], NOW)).not.toThrow();
  });
});
