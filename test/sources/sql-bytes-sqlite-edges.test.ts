import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDataport } from '../helpers/dataport.js';
import { expectSameAsFixtures, exportThroughApi } from './export-archive.js';
import { sqlCatalogYaml, startOnSqlite } from './sql-catalog.js';

/**
 * More of what sql-bytes.test.ts checks for SQLite: every column kind (declared BIGINT, DATETIME, BOOLEAN, JSON,
 * none at all) holding every storage class in turn (SQLite types values, not columns), integers at and past
 * 2^53, REALs JavaScript writes in exponent form, infinities and -0, every control character, U+2028/9, text
 * that is not valid UTF-8, JSON text with duplicate and numeric keys, `__proto__`, odd spacing and numbers JSON
 * rewrites, `jsonColumns`, and column names that are duplicated, numeric, empty, `__proto__` or need escaping.
 * The fixtures under fixtures/sql-bytes/sqlite-edges were written by the row-object path, and held a faster
 * path that wrote rows straight from SQLite's arrays to the same bytes (round 7, reverted for its memory);
 * `DATAPORT_WRITE_FIXTURES=1` rewrites them (only when a change of output is intended).
 */
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/sql-bytes/sqlite-edges');

const SEED = `
CREATE TABLE e (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, at DATETIME, stamp TIMESTAMP, big BIGINT, int8 INT8, flag BOOLEAN, doc JSON,
  docb JSONB, json_text TEXT, anything, r REAL, n NUMERIC, note TEXT);
INSERT INTO e (id, owner, at, stamp, big, int8, flag, doc, docb, json_text, anything, r, n, note) VALUES
  (1, 'u1', '2024-05-01 10:00:00', '2024-05-01 10:00:00.5+05:30', 9007199254740993, -9223372036854775808, 1, '{"b": 1, "1": 2, "a": {"z": [1.0, 1e2, -0, 12345678901234567890]}}',
   '{"k": 1, "k": 2, "__proto__": {"x": 1}, "s": "tab\\there \\u0001 \\u2028 \\ud83d\\ude00"}', '{"t": "x"}', 9007199254740991, 0.1, 12.5,
   (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 31) SELECT group_concat(char(i), '') FROM c) || char(127) || ' "q" \\ '),
  (2, 'u1', 1714557600, 1.5, 1.5, 'text', 0, '[]', '  [ 1 , "two" ]  ', '"s"', 9007199254740992, -0.0, '12.50',
   'U+2028 ' || char(8232) || ' U+2029 ' || char(8233) || ' é 中文 😀 nul:' || char(0) || ':'),
  (3, 'u1', 'infinity', '2024-05-01T10:00', '12', x'00ff', 2, 'null', '"text"', 'true', -9007199254740993, 1e999, 'NaN', CAST(x'eda080' AS TEXT)),
  (4, 'u1', x'0102', ' 2024-05-01 10:00:00 ', -1, 3.5, 0.0, '1.5e-3', '{}', '[1, {"1": 1, "0": 0}]', 1e21, -1e999, 1e-7, CAST(x'61ff62' AS TEXT)),
  (5, 'u1', 0.5, '2024-05-01 10:00:00.123456789', x'', -5, 'true', 2.5, '-0.5', '{"a": 1.10}', 5e-324, 0.30000000000000004, 1e300, ''),
  (6, 'u1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, 'u1', '2024-02-29 23:59:59.999', '0044-03-15', 0, 0, -1, '{"nested": {"deep": [[], {}]}}', '"\\u0000"', '0', x'5c22', 123456789.125, 100.0, 'plain'),
  (8, 'someone else', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'not exported');
INSERT INTO e (id, owner, at, big, flag, doc, anything, r, n, note)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
SELECT 100 + i, 'u1', datetime(1614834367 + i * 3601, 'unixepoch'), i * 7919 * 1000000007, i % 2, json_object('i', i), CASE i % 3 WHEN 0 THEN i WHEN 1 THEN i / 7.0 ELSE 'x' || i END,
  i / 3.0, i * 1.01, CASE i % 2 WHEN 0 THEN 'with "quotes", commas' ELSE 'line' || char(10) || 'break' END FROM n;`;

const COLUMNS = 'id, at, stamp, big, int8, flag, doc, docb, json_text, anything, r, n, note, id + 0 AS expr, upper(note) AS shout, typeof(anything) AS t';
const WHERE = `owner = :user_id AND id < :end_time`; // every id is below the bound text ('2…' > any number in SQLite's order)
const NAMES = `id AS "dup", note AS "dup", id AS "1", r AS "0", note AS "__proto__", n AS "toJSON", id AS "", note AS "quo""te\\ back", r AS "é 中", doc AS "constructor"`;
const FILES = [
  { path: 'Edges/All.json', format: 'json-array', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id`, jsonColumns: ['json_text'] },
  { path: 'Edges/All.ndjson', format: 'ndjson', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id;`, jsonColumns: ['json_text'] },
  { path: 'Edges/All.csv', format: 'csv', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} ORDER BY id -- a comment`, jsonColumns: ['json_text'] },
  { path: 'Edges/One.json', format: 'json-object', query: `SELECT ${COLUMNS} FROM e WHERE ${WHERE} AND id = 1`, jsonColumns: ['json_text'] },
  { path: 'Edges/Names.json', format: 'json-array', query: `SELECT ${NAMES} FROM e WHERE ${WHERE} ORDER BY id` },
  { path: 'Edges/Names.ndjson', format: 'ndjson', query: `SELECT ${NAMES} FROM e WHERE ${WHERE} ORDER BY id` },
  {
    path: 'Edges/Quoted.json',
    format: 'json-array',
    query: `SELECT note AS "quo""te\\ back", r AS "é 中", doc AS "constructor", n AS "toJSON" FROM e WHERE ${WHERE} ORDER BY id`,
  },
  { path: 'Edges/None.json', format: 'json-array', query: `SELECT id FROM e WHERE ${WHERE} AND 0` },
  { path: 'Edges/None.ndjson', format: 'ndjson', query: `SELECT id FROM e WHERE ${WHERE} AND 0` },
];

// A JSON column has NUMERIC affinity: JSON text that is a number is stored as one, an integer too.
const NUMBERS = `SELECT id, doc, docb, doc AS j FROM e WHERE ${WHERE} AND id BETWEEN 900 AND 999 ORDER BY id`;
const NUMBERS_SEED = `INSERT INTO e (id, owner, doc, docb) VALUES (900, 'u9', '1.5e3', '-0'), (901, 'u9', 9007199254740993, '12'), (902, 'u9', '[1]', 2.5), (903, 'u9', CAST('{"b":[1,2]}' AS BLOB), NULL);`;

describe('SQLite sql export: the archive bytes for every storage class in every column kind, and odd column names', () => {
  let sqlite: Awaited<ReturnType<typeof startOnSqlite>>;
  let dp: TestDataport;
  beforeAll(async () => {
    sqlite = await startOnSqlite('sql-sqlite-edges', `${SEED}\n${NUMBERS_SEED}`, 'EDGES_DATABASE_URL', catalogYaml());
    dp = sqlite.dp;
  });
  afterAll(() => sqlite?.close());

  it('every file is byte for byte what the checked-in expectation holds', async () => {
    const archive = await exportThroughApi(dp, 'u1', ['edges.all']);
    expect(archive.state).toBe('COMPLETE');
    expectSameAsFixtures(
      archive,
      FILES.map((f) => f.path),
      FIXTURES,
    );
  });

  it('a JSON column holding an integer writes the number JSON.parse would give for its digits, and one holding a BLOB the JSON its UTF-8 text holds', async () => {
    const archive = await exportThroughApi(dp, 'u9', ['edges.numbers']);
    expect(archive.state).toBe('COMPLETE');
    const rows = [
      '{"id":900,"doc":1500,"docb":0,"j":1500}',
      '{"id":901,"doc":9007199254740992,"docb":12,"j":9007199254740992}',
      '{"id":902,"doc":[1],"docb":2.5,"j":[1]}',
      // A BLOB in a JSON column: the JSON its bytes spell (it was Node's {"type":"Buffer","data":[…]} before).
      '{"id":903,"doc":{"b":[1,2]},"docb":null,"j":{"b":[1,2]}}',
    ];
    expect(archive.files.get('Edges/Numbers.json')?.toString('utf8')).toBe(`[\n${rows.join(',\n')}]`);
    expect(archive.files.get('Edges/Numbers.ndjson')?.toString('utf8')).toBe(rows.map((r) => `${r}\n`).join(''));
    expect(archive.files.get('Edges/Numbers.csv')?.toString('utf8')).toBe(
      'id,doc,docb,j\r\n900,1500,0,1500\r\n901,9007199254740992,12,9007199254740992\r\n902,[1],2.5,[1]\r\n903,"{""b"":[1,2]}",,"{""b"":[1,2]}"\r\n',
    );
  });
});

function catalogYaml(): string {
  const numbers = ['json-array', 'ndjson', 'csv'].map((format) => ({
    path: `Edges/Numbers.${format === 'json-array' ? 'json' : format}`,
    format,
    query: NUMBERS,
    jsonColumns: ['j'],
  }));
  return sqlCatalogYaml('EDGES_DATABASE_URL', 3, [
    { name: 'edges.all', description: 'Edge values', timeFilter: true, files: FILES },
    { name: 'edges.numbers', description: 'JSON columns holding numbers', files: numbers },
  ]);
}
