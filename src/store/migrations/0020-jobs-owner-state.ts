import type { Kysely } from 'kysely';

/**
 * `jobs_owner_state` (user_id, state, client_id): the duplicate check of every initiate (the caller's own
 * IN_PROGRESS job for the same groups) and the per-user cap (the user's IN_PROGRESS jobs) look jobs up by
 * owner and state. SQLite, which plans without statistics, took `jobs_state` for both and read every running
 * job of every user: ~2,000 of them queued under 200 initiates/s, a cost per initiate that grew with the
 * backlog (bench/README.md, round 8; test/domain/job-path-plans.test.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_owner_state').on('jobs').columns(['user_id', 'state', 'client_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_owner_state').execute();
}
