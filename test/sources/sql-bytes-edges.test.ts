import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { expectSameAsFixtures, exportThroughApi } from './export-archive.js';
import { createPgSchema } from './pg-schema.js';
import { sqlCatalogYaml } from './sql-catalog.js';

/**
 * More of what sql-bytes.test.ts checks, for the values whose text PostgreSQL's COPY escapes or that take
 * another parser: backslashes, every control character, `\N` as text, arrays of every kind with quotes and
 * NULLs, JSON strings with escapes, geometric and network types, composite rows, a user id and time window
 * written into the query as literals, a closing semicolon and comment, duplicate column names, json-object
 * and empty files. The fixtures under fixtures/sql-bytes/postgres-edges were written by the cursor path (the
 * code before COPY); `DATAPORT_WRITE_FIXTURES=1` rewrites them (only when a change of output is intended).
 * Rewritten once since, on purpose (round 7): arrays of numeric, timestamptz, date and bytea now follow the
 * scalar rules of docs/own-data.md (`"1.50"`, microseconds, `2024-02-29`, base64), where node-pg's array
 * parsers had made floats, Dates and `{"type":"Buffer"}` objects of their elements.
 */
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/sql-bytes/postgres-edges');
// A user id that must be quoted and escaped when it is written into the query.
const USER = `o'neil\\1 "x"`;

const SEED = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS INTEGER CHECK (VALUE > 0);
CREATE TABLE e (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, at TIMESTAMPTZ, local_at TIMESTAMP, note TEXT, texts TEXT[], ints INTEGER[],
  nums NUMERIC[], flags BOOLEAN[], times TIMESTAMPTZ[], days DATE[], docs JSONB[], raws BYTEA[], doc JSONB, plain_json JSON, json_text TEXT,
  raw BYTEA, price NUMERIC, ratio DOUBLE PRECISION, pt POINT, c CIRCLE, net INET, mac MACADDR, t TIME, tz TIMETZ, span INTERVAL, m mood,
  p positive, bits VARBIT, words TSVECTOR, cash MONEY);
INSERT INTO e (id, owner, at, local_at, note) VALUES
  (1, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', E'\\\\N'),
  (2, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', E'\\\\'),
  (3, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', E'a\\\\tb \\\\n \\\\\\\\ end\\\\'),
  (4, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', E'tab\\there cr\\rlf\\n crlf\\r\\n'),
  (5, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', (SELECT string_agg(chr(i), '' ORDER BY i) FROM generate_series(1, 31) i) || chr(127)),
  (6, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', 'NULL'),
  (7, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', ' '),
  (8, $$o'neil\\1 "x"$$, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', E'\\u2028\\u2029 é 中文 😀 \\\\x41'),
  (9, 'u1', '2024-05-01 10:00:00+00', '2024-05-01 10:00:00', 'another user');
UPDATE e SET
  texts = ARRAY[E'a\\\\b', 'q"q', E'tab\\t', E'nl\\n', NULL, 'NULL', '', '{}', ',', ' sp '],
  ints = ARRAY[1, NULL, -3], nums = ARRAY[1.50, NULL, 'NaN']::NUMERIC[], flags = ARRAY[true, NULL, false],
  times = ARRAY['2024-05-01 10:00:00.123456+00', NULL]::TIMESTAMPTZ[], days = ARRAY['2024-02-29', NULL]::DATE[],
  docs = ARRAY['{"a": "x\\\\ny"}', NULL]::JSONB[], raws = ARRAY['\\x5c090a', NULL]::BYTEA[],
  doc = '{"s": "line\\nbreak\\ttab \\\\ back \\"q\\" \\u00e9 \\u0001 \\u2028", "n": [1.0, 1e2, -0, 12345678901234567890], "k": {}}',
  plain_json = '{"k": 1, "k": 2, "s": "a\\\\b",  "sp" :  [ ] }',
  json_text = '{"t": "tab\\there", "b": "\\\\"}',
  raw = '\\x5c090a0d00ff'::BYTEA, price = 'Infinity', ratio = 5e-324, pt = '(1.5,-2)', c = '<(1,2),3>', net = '192.168.0.1/24',
  mac = '08:00:2b:01:02:03', t = '10:00:00.5', tz = '10:00:00+02', span = '-1 day 02:03:04', m = 'happy', p = 7, bits = B'1011',
  words = $$'it''s' a:1 b$$, cash = 12.34
WHERE id = 5;
UPDATE e SET price = '-Infinity', ratio = 0.30000000000000004, doc = '"\\\\"', plain_json = 'null', raw = '\\x' WHERE id = 6;`;

const COLUMNS = `id, :user_id::text AS who, at, local_at, note, texts, ints, nums, flags, times, days, docs, raws, doc, plain_json, json_text, raw,
  price, ratio, pt, c, net, mac, t, tz, span, m, p, bits, words, cash, ROW(id, note) AS composite, id AS "dup", note AS "dup", 1 AS "col with space, é"`;
const WHERE = 'owner = :user_id AND at BETWEEN :start_time AND :end_time AND local_at <= :end_time';
const FILES = [
  { path: 'Edges/All.json', format: 'json-array', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id;\n-- a closing comment` },
  { path: 'Edges/All.ndjson', format: 'ndjson', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id -- no semicolon` },
  { path: 'Edges/All.csv', format: 'csv', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id;` },
  { path: 'Edges/One.json', format: 'json-object', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id DESC LIMIT 1` },
  { path: 'Edges/Text.json', format: 'json-array', query: `SELECT id, json_text FROM e WHERE ${WHERE} AND json_text IS NOT NULL`, jsonColumns: ['json_text'] },
  { path: 'Edges/None.json', format: 'json-array', query: `SELECT id FROM e WHERE ${WHERE} AND false` },
];

describe('PostgreSQL sql export: the archive bytes for escapes, arrays and other edge values', () => {
  let dp: TestDataport;
  let dir: string;
  let database: Awaited<ReturnType<typeof createPgSchema>> | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-sql-edges-'));
    database = await createPgSchema('edges', SEED);
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(catalog, catalogYaml());
    dp = await startDataport({ DATAPORT_CATALOG: catalog, EDGES_DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await dp?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every file is byte for byte what the checked-in expectation holds', async () => {
    const archive = await exportThroughApi(dp, USER, ['edges.all'], { startTime: '2024-05-01T09:59:59.999Z', endTime: '2024-05-01T10:00:00.001Z' });
    expect(archive.state).toBe('COMPLETE');
    // An empty file is checked here, not against a fixture.
    expect(archive.files.get('Edges/None.json')?.toString('utf8')).toBe('[]');
    expectSameAsFixtures(
      archive,
      FILES.map((f) => f.path).filter((p) => p !== 'Edges/None.json'),
      FIXTURES,
    );
  });
});

function catalogYaml(): string {
  return sqlCatalogYaml('EDGES_DATABASE_URL', 3, [{ name: 'edges.all', description: 'Edge values', timeFilter: true, files: FILES }]);
}
