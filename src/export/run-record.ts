import { jobRunsSql, jobsSql, type Db, type JobRow, type JobRunOutcome } from '../store/index.js';

type Warn = { warn(o: object, msg: string): void };

/** What `run-job.ts` reports when a run ends; the failure's own words for `failed` and `transient`. */
export interface RunEnd {
  outcome: JobRunOutcome | 'transient failure' | 'handed back';
  records?: number;
  bytes?: number;
  error?: unknown;
}

/**
 * Claims the job (jobsSql.claimJob) and opens the run's row in `job_runs` (the console's run history) in the
 * same transaction: a worker killed right after its claim still leaves its run, which the next claim closes
 * as `lapsed`.
 */
export async function claimJobAndOpenRun(db: Db, jobId: string, worker: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const job = await jobsSql.claimJob(trx, jobId, worker, now, leaseMs);
    if (job) await jobRunsSql.startRun(trx, { jobId: job.id, attempt: job.attempt, worker, startedAt: now });
    return job;
  });
}

/**
 * Closes the run's row with how it ended. History only: a write that fails is logged and the run's outcome
 * stands (the job's own row is the truth about its state).
 */
export function runEndRecorder(db: Db, job: JobRow, now: () => number, log: Warn) {
  return async (end: RunEnd): Promise<void> => {
    const outcome: JobRunOutcome = end.outcome === 'transient failure' ? 'transient' : end.outcome === 'handed back' ? 'handed-back' : end.outcome;
    const error =
      outcome === 'failed' || outcome === 'transient' ? (end.error instanceof Error ? `${end.error.name}: ${end.error.message}` : String(end.error)) : null;
    await jobRunsSql
      .endRun(db, job.id, job.attempt, { endedAt: now(), outcome, records: end.records ?? null, bytes: end.bytes ?? null, error })
      .catch((e: unknown) => log.warn({ err: e }, 'could not record the end of the run'));
  };
}
