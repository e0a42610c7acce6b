import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { GrantRow } from './grants.js';

/** What the console's overview reads; few rows, aggregated in the caller (one shape on both engines). */
export interface FinishedJob {
  state: 'COMPLETE' | 'FAILED' | 'CANCELLED';
  created_at: number;
  finished_at: number;
  bytes: number;
}

/** Jobs that finished at or after `since` (at most `limit`, newest first), with the bytes of their archive. */
export async function listFinishedJobs(db: Db, since: number, limit: number): Promise<FinishedJob[]> {
  const rows = await db
    .selectFrom('jobs as j')
    .leftJoin('archive_parts as p', 'p.job_id', 'j.id')
    .select(['j.state', 'j.created_at', 'j.finished_at', (eb) => eb.fn.coalesce(eb.fn.sum<number | string>('p.size_bytes'), sql<number>`0`).as('bytes')])
    .where('j.state', '!=', 'IN_PROGRESS')
    .where('j.finished_at', '>=', since)
    .groupBy(['j.id', 'j.state', 'j.created_at', 'j.finished_at'])
    .orderBy('j.finished_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    state: r.state as FinishedJob['state'],
    created_at: Number(r.created_at),
    finished_at: Number(r.finished_at),
    bytes: Number(r.bytes),
  }));
}

/** Jobs in progress, those a worker holds right now (a live lease), and how many distinct workers hold them. */
export async function countRunning(db: Db, now: number): Promise<{ inProgress: number; leased: number; workers: number }> {
  const row = await db
    .selectFrom('jobs')
    .select([
      (eb) => eb.fn.countAll<number | string>().as('in_progress'),
      sql<number | string>`sum(case when lease_expires_at >= ${now} then 1 else 0 end)`.as('leased'),
      sql<number | string>`count(distinct case when lease_expires_at >= ${now} then lease_owner end)`.as('workers'),
    ])
    .where('state', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  return { inProgress: Number(row?.in_progress ?? 0), leased: Number(row?.leased ?? 0), workers: Number(row?.workers ?? 0) };
}

/** Bytes of the archives still kept (published, not yet deleted by retention or reset). */
export async function storedArchiveBytes(db: Db): Promise<number> {
  const row = await db
    .selectFrom('archive_parts as p')
    .innerJoin('jobs as j', 'j.id', 'p.job_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('p.size_bytes'), sql<number>`0`).as('bytes'))
    .where('j.archive_deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}

/** Every grant still standing (not revoked, not expired), for the users page; at most `limit`. */
export async function listLiveGrants(db: Db, now: number, limit: number): Promise<GrantRow[]> {
  return db
    .selectFrom('grants')
    .selectAll()
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('user_id')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
