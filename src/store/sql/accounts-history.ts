import type { Db } from '../database.js';
import type { JobStateValue } from '../schema.js';

export interface ExportHistoryRow {
  id: string;
  client_id: string;
  resources: string;
  state: JobStateValue;
  created_at: number;
  /** When any part of the archive was first downloaded; null if never. */
  downloaded_at: number | null;
}

/** The user's export jobs, newest first, with whether their archive was downloaded (the account page). */
export async function listExportHistory(db: Db, userId: string, limit: number): Promise<ExportHistoryRow[]> {
  return db
    .selectFrom('jobs as j')
    .leftJoin('archive_parts as p', 'p.job_id', 'j.id')
    .select((eb) => ['j.id', 'j.client_id', 'j.resources', 'j.state', 'j.created_at', eb.fn.min('p.downloaded_at').as('downloaded_at')])
    .where('j.user_id', '=', userId)
    .groupBy(['j.id', 'j.client_id', 'j.resources', 'j.state', 'j.created_at'])
    .orderBy('j.created_at', 'desc')
    .limit(limit)
    .execute();
}
