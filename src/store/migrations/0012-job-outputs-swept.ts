import type { Kysely } from 'kysely';

/**
 * `jobs.outputs_swept_at`: when the maintenance pass last found nothing unpublished left under a finished
 * job's archive folder (a crashed run's partial file, an aborted upload), after which it never looks again.
 * Jobs finished before this migration start unswept, so the first passes clean up after old crashes too.
 * The partial index keeps the pass's look-up as small as the backlog of unswept jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('outputs_swept_at', 'bigint').execute();
  await db.schema
    .createIndex('jobs_outputs_unswept')
    .on('jobs')
    .column('finished_at')
    .where((eb) => eb('outputs_swept_at' as never, 'is', null))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_outputs_unswept').execute();
  await db.schema.alterTable('jobs').dropColumn('outputs_swept_at').execute();
}
