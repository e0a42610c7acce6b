import type { Kysely } from 'kysely';

/**
 * Look-ups that consent now makes on every download and every revocation: the download route finds a part by
 * its blob key (and the job and grant behind it), and revoking a grant finds the grant's jobs to cancel them
 * and expire their archives. Without these, each was a scan of the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('archive_parts_blob_key').on('archive_parts').column('blob_key').execute();
  await db.schema.createIndex('jobs_grant').on('jobs').column('grant_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_grant').execute();
  await db.schema.dropIndex('archive_parts_blob_key').execute();
}
