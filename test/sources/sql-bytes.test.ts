import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { expectSameAsFixtures, exportThroughApi } from './export-archive.js';
import { createPgSchema } from './pg-schema.js';
import { sqlCatalogYaml, startOnSqlite } from './sql-catalog.js';

/**
 * The exact bytes a PostgreSQL (and a SQLite) `sql` export writes, for every value type docs/own-data.md documents, in each
 * record format, compared with files checked in under fixtures/sql-bytes/<dialect> (written by the code before
 * the sql path was tuned for speed). Any change to how values are read, converted or serialized shows here as
 * a changed byte. `DATAPORT_WRITE_FIXTURES=1` rewrites the files (only when a change of output is intended).
 */
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/sql-bytes');
const COLUMNS = 'id, big, n, small, price, ratio, r, at, local_at, day, span, raw, doc, plain_json, flag, note, uid, tags';
const FILES = [
  { path: 'Values/All.json', format: 'json-array' },
  { path: 'Values/All.ndjson', format: 'ndjson' },
  { path: 'Values/All.csv', format: 'csv' },
];

// Hand-written edge cases, then 300 generated rows so results cross several cursor batches (fetchRows: 7).
const SEED = `
CREATE TABLE v (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, big BIGINT, n INTEGER, small SMALLINT, price NUMERIC, ratio DOUBLE PRECISION,
  r REAL, at TIMESTAMPTZ, local_at TIMESTAMP, day DATE, span INTERVAL, raw BYTEA, doc JSONB, plain_json JSON, flag BOOLEAN, note TEXT,
  uid UUID, tags TEXT[]);
INSERT INTO v VALUES
  (1, 'u1', 9223372036854775807, 2147483647, 32767, 12345678901234567890.123456789, 0.1, 1.5, '2024-05-01 10:00:00.123456+00',
   '2024-05-01 10:00:00.5', '2024-02-29', '1 year 2 mons 3 days 04:05:06.789', '\\x00ff10', '{"a": [1, 2.50, {"é": "😀"}], "b": null}',
   '{"kept":  "as written", "n": 1.0}', true, E'quote " backslash \\\\ tab \\t newline \\n bell \\x07 U+2028 \u2028 中文 😀', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a,"b c",NULL}'),
  (2, 'u1', -9223372036854775808, -2147483648, -32768, -0.5, -1e300, 'NaN', 'infinity', '-infinity', '0044-03-15 BC', '-00:00:01', '\\x', '[]',
   'null', false, '', '00000000-0000-0000-0000-000000000000', '{}'),
  (3, 'u1', 0, 0, 0, 'NaN', 'Infinity', '-0', '1999-12-31 23:59:59.999999+00', '0001-01-01 00:00:00', '9999-12-31', '0', '\\x5c22', '"text"',
   '"text"', NULL, 'comma, "quoted"', NULL, NULL),
  (4, 'u1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 'someone else', 1, 1, 1, 1, 1, 1, '2020-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'not exported', NULL, NULL);
INSERT INTO v SELECT 100 + i, 'u1', i::bigint * 7919 * 1000000007, i, i % 100, (i * 1.01)::numeric(12, 4), i / 7.0, i / 3.0,
  timestamptz '2021-03-04 05:06:07.000001+00' + i * interval '1 hour 1.5 seconds', timestamp '2021-03-04' + i * interval '1 day',
  date '2021-03-04' + i, i * interval '1 minute', decode(md5(i::text), 'hex'),
  jsonb_build_object('i', i, 's', repeat('x', i % 5), 'nested', jsonb_build_array(i, 'ü' || i)), json_build_object('i', i),
  i % 2 = 0, CASE i % 4 WHEN 0 THEN 'plain' WHEN 1 THEN 'with "quotes", commas' WHEN 2 THEN E'line\\nbreak' ELSE 'ünïcødé ✓' END,
  md5(i::text)::uuid, ARRAY['t' || i] FROM generate_series(1, 300) i;`;

describe('PostgreSQL sql export: the archive bytes for every documented type', () => {
  let dp: TestDataport;
  let dir: string;
  let database: Awaited<ReturnType<typeof createPgSchema>> | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-sql-bytes-'));
    database = await createPgSchema('bytes', SEED);
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(catalog, catalogFor(COLUMNS));
    dp = await startDataport({ DATAPORT_CATALOG: catalog, VALUES_DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await dp?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('json-array, ndjson and csv files are byte for byte what the checked-in expectation holds', async () => {
    await expectSameBytes(dp, 'postgres');
  });
});

const SQLITE_COLUMNS = 'id, big, n, price, ratio, at, raw, doc, flag, note';
const SQLITE_SEED = `
CREATE TABLE v (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, big BIGINT, n INTEGER, price NUMERIC, ratio REAL, at TIMESTAMP, raw BLOB, doc JSON,
  flag BOOLEAN, note TEXT);
INSERT INTO v VALUES
  (1, 'u1', 9223372036854775807, 9007199254740993, '12.50', 0.1, '2024-05-01 10:00:00.123456', x'00ff10', '{"a": [1, 2.50, {"é": "😀"}]}', 1,
   'quote " backslash \\ tab ' || char(9) || ' newline ' || char(10) || ' bell ' || char(7) || ' U+2028 ' || char(8232) || ' 中文 😀'),
  (2, 'u1', -9223372036854775808, -1, 12.5, -1e300, '2024-05-01T10:00:00+02:00', x'', '[]', 0, ''),
  (3, 'u1', 0, 0, 'NaN', 1e-7, 'infinity', x'5c22', '"text"', NULL, 'comma, "quoted"'),
  (4, 'u1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 'someone else', 1, 1, 1, 1, '2020-01-01 00:00:00', NULL, NULL, NULL, 'not exported');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO v SELECT 100 + i, 'u1', i * 7919 * 1000000007, i, i * 1.01, i / 7.0, datetime(1614834367 + i * 3601, 'unixepoch'),
  unhex(printf('00ff%04x', i)), json_object('i', i, 's', substr('xxxxx', 1, i % 5), 'nested', json_array(i, 'ü' || i)), i % 2,
  CASE i % 4 WHEN 0 THEN 'plain' WHEN 1 THEN 'with "quotes", commas' WHEN 2 THEN 'line' || char(10) || 'break' ELSE 'ünïcødé ✓' END FROM n;`;

describe('SQLite sql export: the archive bytes for every documented type', () => {
  let sqlite: Awaited<ReturnType<typeof startOnSqlite>>;
  let dp: TestDataport;
  beforeAll(async () => {
    sqlite = await startOnSqlite('sql-bytes-sqlite', SQLITE_SEED, 'VALUES_DATABASE_URL', catalogFor(SQLITE_COLUMNS));
    dp = sqlite.dp;
  });
  afterAll(() => sqlite?.close());

  it('json-array, ndjson and csv files are byte for byte what the checked-in expectation holds', async () => {
    await expectSameBytes(dp, 'sqlite');
  });
});

function catalogFor(columns: string): string {
  const files = FILES.map((f) => ({ path: f.path, format: f.format, query: `SELECT ${columns} FROM v WHERE owner = :user_id ORDER BY id` }));
  return sqlCatalogYaml('VALUES_DATABASE_URL', 7, [{ name: 'values.all', description: 'Every value type', files }]);
}

async function expectSameBytes(dp: TestDataport, dialect: string): Promise<void> {
  const archive = await exportThroughApi(dp, 'u1', ['values.all']);
  expect(archive.state).toBe('COMPLETE');
  expectSameAsFixtures(
    archive,
    FILES.map((f) => f.path),
    path.join(FIXTURES, dialect),
  );
}
