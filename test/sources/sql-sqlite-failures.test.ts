import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/store/index.js';
import type { TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json } from './export-archive.js';
import { sqlCatalogYaml, startOnSqlite } from './sql-catalog.js';

/**
 * A SQLite query that fails after rows were written, in a JSON file and in a CSV file (read on different
 * paths): the job FAILS, permanently, with the database's or the catalog's reason as it was, and the same
 * source then exports again.
 */
const SEED = `
CREATE TABLE t (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, doc TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO t SELECT i, 'u1', CASE i WHEN 40 THEN 'not json' ELSE json_object('i', i) END FROM n;
INSERT INTO t SELECT 100 + id, 'u2', json_object('i', id) FROM t;
CREATE TABLE declared (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, doc JSON);
INSERT INTO declared SELECT id, owner, doc FROM t;`;

const GROUPS = [
  { name: 'bad.text', path: 'Bad/Text.json', format: 'json-array', query: 'SELECT id, doc FROM t WHERE owner = :user_id ORDER BY id', jsonColumns: ['doc'] },
  { name: 'bad.text.csv', path: 'Bad/Text.csv', format: 'csv', query: 'SELECT id, doc FROM t WHERE owner = :user_id ORDER BY id', jsonColumns: ['doc'] },
  // JSON text in a BLOB is parsed as the UTF-8 it is; bytes that are not UTF-8 (SQLite's binary JSONB) fail.
  {
    name: 'bad.bytes',
    path: 'Bad/Bytes.json',
    format: 'json-array',
    query: "SELECT id, CASE id WHEN 40 THEN x'ff00' ELSE CAST(doc AS BLOB) END AS doc FROM t WHERE owner = :user_id ORDER BY id",
    jsonColumns: ['doc'],
  },
  // A column declared JSON is parsed without being listed, and its error says so.
  { name: 'bad.declared', path: 'Bad/Declared.json', format: 'json-array', query: 'SELECT id, doc FROM declared WHERE owner = :user_id ORDER BY id' },
  { name: 'bad.sql', path: 'Bad/Sql.ndjson', format: 'ndjson', query: "SELECT id, json_extract(doc, '$.i') AS i FROM t WHERE owner = :user_id ORDER BY id" },
  { name: 'bad.sql.csv', path: 'Bad/Sql.csv', format: 'csv', query: "SELECT id, json_extract(doc, '$.i') AS i FROM t WHERE owner = :user_id ORDER BY id" },
];

describe('SQLite sql export: a query failing mid-result', () => {
  let sqlite: Awaited<ReturnType<typeof startOnSqlite>>;
  let dp: TestDataport;
  beforeAll(async () => {
    sqlite = await startOnSqlite('sql-sqlite-failures', SEED, 'FAILURES_DATABASE_URL', catalogYaml());
    dp = sqlite.dp;
  });
  afterAll(() => sqlite?.close());

  const reasons: Record<string, string> = {
    'bad.text': 'PermanentSourceError: db: query for bad.text → Bad/Text.json: column "doc" is listed in jsonColumns but holds text that is not JSON: not json',
    'bad.text.csv':
      'PermanentSourceError: db: query for bad.text.csv → Bad/Text.csv: column "doc" is listed in jsonColumns but holds text that is not JSON: not json',
    'bad.bytes':
      'PermanentSourceError: db: query for bad.bytes → Bad/Bytes.json: column "doc" is a JSON column but holds bytes that are not UTF-8 text (SQLite\'s JSONB: select json(doc))',
    'bad.declared':
      'PermanentSourceError: db: query for bad.declared → Bad/Declared.json: column "doc" is declared JSON but holds text that is not JSON: not json',
    'bad.sql': 'PermanentSourceError: db: query for bad.sql → Bad/Sql.ndjson: malformed JSON',
    'bad.sql.csv': 'PermanentSourceError: db: query for bad.sql.csv → Bad/Sql.csv: malformed JSON',
  };
  for (const [group, reason] of Object.entries(reasons)) {
    it(`${group}: FAILED at once with the reason kept for the operator; the source exports again afterwards`, async () => {
      const archive = await exportThroughApi(dp, 'u1', [group]);
      expect(archive.state).toBe('FAILED');
      const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
      expect(job!.failure_reason).toBe(reason);
      expect(job!.transient_failures).toBe(0);

      const again = await exportThroughApi(dp, 'u2', [group]);
      expect(again.state).toBe('COMPLETE');
      const parsed = Array.from({ length: 50 }, (_, i) => ({ id: 101 + i, doc: { i: 1 + i } }));
      if (group === 'bad.text') expect(json(again.files, 'Bad/Text.json')).toEqual(parsed);
      if (group === 'bad.bytes') expect(json(again.files, 'Bad/Bytes.json')).toEqual(parsed);
    });
  }
});

function catalogYaml(): string {
  return sqlCatalogYaml(
    'FAILURES_DATABASE_URL',
    7,
    GROUPS.map(({ name, path, format, query, jsonColumns }) => ({
      name,
      description: 'A query that fails',
      files: [{ path, format, query, ...(jsonColumns ? { jsonColumns } : {}) }],
    })),
  );
}
