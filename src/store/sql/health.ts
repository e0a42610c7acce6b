import { sql } from 'kysely';
import type { Db } from '../database.js';

/** The cheapest round trip to the database: `/readyz` asks it to tell whether the database can be reached. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
