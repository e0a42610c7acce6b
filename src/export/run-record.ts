import { jobRunsSql, type Db, type JobRow, type JobRunOutcome } from '../store/index.js';

type Warn = { warn(o: object, msg: string): void };

/** What `run-job.ts` reports when a run ends; the failure's own words for `failed` and `transient`. */
export interface RunEnd {
  outcome: JobRunOutcome | 'transient failure' | 'handed back';
  records?: number;
  bytes?: number;
  error?: unknown;
}

/**
 * The run's row in `job_runs` (the console's run history): opened when the worker has claimed the job, closed
 * with how the run ended. History only: a write that fails is logged and the run goes on (the job's own row
 * stays the truth about its state).
 */
export async function recordRunStart(db: Db, job: JobRow, worker: string, now: () => number, log: Warn) {
  await jobRunsSql.startRun(db, { jobId: job.id, attempt: job.attempt, worker, startedAt: now() })
    .catch((e: unknown) => log.warn({ err: e }, 'could not record the run'));
  return async (end: RunEnd): Promise<void> => {
    const outcome: JobRunOutcome = end.outcome === 'transient failure' ? 'transient' : end.outcome === 'handed back' ? 'handed-back' : end.outcome;
    const error = outcome === 'failed' || outcome === 'transient'
      ? (end.error instanceof Error ? `${end.error.name}: ${end.error.message}` : String(end.error)) : null;
    await jobRunsSql.endRun(db, job.id, job.attempt, { endedAt: now(), outcome, records: end.records ?? null, bytes: end.bytes ?? null, error })
      .catch((e: unknown) => log.warn({ err: e }, 'could not record the end of the run'));
  };
}
