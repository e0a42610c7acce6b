import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL the `sql` source tests export from (trust auth, database `test`). */
export const TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema of one test's own in the test database, made by `sql` (which runs with the schema as its
 * search_path): the URL a catalog source connects with (the same search_path), and how to drop it after.
 */
export async function createPgSchema(prefix: string, sql: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient((client) => client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}; ${sql}`));
  return {
    url: `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: () => withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

async function withClient(use: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
