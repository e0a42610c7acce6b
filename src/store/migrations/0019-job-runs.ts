import type { Kysely } from 'kysely';

/**
 * `job_runs`: one row per run of a job (a worker's claim), for the operator's console and `dataport jobs show`.
 * Keyed by (job_id, attempt): the claim's attempt fences the row, so a worker that lost its lease can only ever
 * write its own run's row. A run is operator history holding ids, counts and the failure message, no user
 * data: rows stay as long as their job does (archives deleted by reset or retention keep their runs).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    /** complete, discarded, failed, transient, cancelled, handed-back, lapsed; null while it runs. */
    .addColumn('outcome', 'text')
    .addColumn('records', 'bigint')
    .addColumn('bytes', 'bigint')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('job_runs_pk', ['job_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_runs').execute();
}
