import type { Db } from '../database.js';
import type { JobRunOutcome, JobRunsTable } from '../schema.js';

export type JobRunRow = JobRunsTable;
export type { JobRunOutcome };

/**
 * A worker's claim of run `attempt`. Runs of earlier attempts still open are closed as `lapsed`: their worker
 * died or lost its lease, or the claim would not have been granted. Should that worker still end its run, it
 * writes its own row (same attempt) with what really happened.
 */
export async function startRun(db: Db, run: { jobId: string; attempt: number; worker: string; startedAt: number }): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ ended_at: run.startedAt, outcome: 'lapsed' })
    .where('job_id', '=', run.jobId)
    .where('attempt', '<', run.attempt)
    .where('ended_at', 'is', null)
    .execute();
  await db
    .insertInto('job_runs')
    .values({
      job_id: run.jobId,
      attempt: run.attempt,
      worker: run.worker,
      started_at: run.startedAt,
      ended_at: null,
      outcome: null,
      records: null,
      bytes: null,
      error: null,
    })
    .onConflict((oc) => oc.columns(['job_id', 'attempt']).doNothing())
    .execute();
}

/** How run `attempt` ended; touches that run's row only, so a stale worker never writes over another run. */
export async function endRun(
  db: Db,
  jobId: string,
  attempt: number,
  end: { endedAt: number; outcome: JobRunOutcome; records?: number | null; bytes?: number | null; error?: string | null },
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ ended_at: end.endedAt, outcome: end.outcome, records: end.records ?? null, bytes: end.bytes ?? null, error: end.error ?? null })
    .where('job_id', '=', jobId)
    .where('attempt', '=', attempt)
    .execute();
}

/** A job's runs, first run first. */
export async function listRuns(db: Db, jobId: string): Promise<JobRunRow[]> {
  const rows = await db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).orderBy('attempt', 'asc').execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    ...r,
    attempt: Number(r.attempt),
    started_at: Number(r.started_at),
    ended_at: num(r.ended_at),
    records: num(r.records),
    bytes: num(r.bytes),
  }));
}
