import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport();
});
afterAll(async () => {
  await dp?.close();
});

const readyz = async () => {
  const r = await fetch(`${dp.url}/readyz`);
  return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
};

it("/readyz is not ready while the database is behind the code's migrations, and says which", async () => {
  expect(await readyz()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'ok', blobs: 'ok', queue: 'ok', migrations: 'ok' } } });
  // As if an older backup were restored under the running server: the newest migration is not recorded.
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(dp.dataport.db);
  const newest = rows[0]!.name;
  await sql`delete from kysely_migration where name = ${newest}`.execute(dp.dataport.db);
  const behind = await readyz();
  expect(behind.status).toBe(503);
  expect(behind.body).toEqual({
    status: 'unavailable',
    checks: { database: 'ok', blobs: 'ok', queue: 'ok', migrations: `behind: ${newest} not applied; run \`dataport migrate\`` },
  });
  await sql`insert into kysely_migration (name, timestamp) values (${newest}, ${new Date().toISOString()})`.execute(dp.dataport.db);
  expect((await readyz()).status).toBe(200);
});
