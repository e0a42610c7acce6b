import type { Kysely } from 'kysely';

/**
 * `jobs.request_id` and `jobs.trace_parent`: the id of the HTTP request that started the job (initiate or
 * retry) and, when tracing was on, its W3C `traceparent`. The worker that runs the job puts the request id
 * on its log lines and makes its span a child of that trace, so one request can be followed from the API
 * through the worker to the download. Null for jobs made before this migration or outside a request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('request_id', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('trace_parent', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('trace_parent').execute();
  await db.schema.alterTable('jobs').dropColumn('request_id').execute();
}
