import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import type { GroupDefinition } from '../../src/catalog/index.js';
import { compileNamedParameters, createSqlSource, toRfc3339 } from '../../src/sources/sql/index.js';
import type { Source } from '../../src/sources/index.js';
import { createPgSchema } from './pg-schema.js';

const MYSQL_URL = 'mysql://root@127.0.0.1:3306';

describe('named parameters', () => {
  it('become $n on PostgreSQL and ? elsewhere; quotes, comments, dollar quotes and ::casts are left alone', () => {
    const sql = `SELECT ':user_id', "a:b", x::text, $q$ :end_time $q$ -- :nope\nFROM t WHERE u = :user_id AND t >= :start_time /* :x */ AND t <= :end_time`;
    const pgq = compileNamedParameters(sql, 'postgres');
    expect(pgq.text).toBe(`SELECT ':user_id', "a:b", x::text, $q$ :end_time $q$ -- :nope\nFROM t WHERE u = $1 AND t >= $2 /* :x */ AND t <= $3`);
    expect(pgq.parameters).toEqual(['user_id', 'start_time', 'end_time']);
    expect(compileNamedParameters(`SELECT 'it\\'s :user_id' # :nope\n, :user_id`, 'mysql').text).toBe(`SELECT 'it\\'s :user_id' # :nope\n, ?`);
    expect(() => compileNamedParameters('SELECT :userid', 'sqlite')).toThrow('unknown parameter :userid');
  });

  it('database date-time text becomes RFC 3339, keeping sub-seconds and offsets', () => {
    expect(toRfc3339('2024-05-01 10:00:00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00:00.123456+00')).toBe('2024-05-01T10:00:00.123456Z');
    expect(toRfc3339('2024-05-01 10:00:00+05:30')).toBe('2024-05-01T10:00:00+05:30');
    expect(toRfc3339('2024-05-01 10:00:00-08')).toBe('2024-05-01T10:00:00-08:00');
    expect(toRfc3339('infinity')).toBe('infinity');
  });

  it('the shapes PostgreSQL and SQLite write in UTC, and their near misses, convert as the general rule says', () => {
    expect(toRfc3339('2024-05-01 10:00:00+00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00:00.5')).toBe('2024-05-01T10:00:00.5Z');
    expect(toRfc3339('2024-05-01T10:00:00+00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00:00+00:00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00:00 +00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339(' 2024-05-01 10:00:00.25+00 ')).toBe('2024-05-01T10:00:00.25Z');
    expect(toRfc3339('12024-05-01 10:00:00+00')).toBe('12024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00+00')).toBe('2024-05-01T10:00:00Z');
    expect(toRfc3339('2024-05-01 10:00:00.')).toBe('2024-05-01 10:00:00.');
    expect(toRfc3339('2024-05-01 10:00:00.1a+00')).toBe('2024-05-01 10:00:00.1a+00');
    expect(toRfc3339('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});

/** Rows with the awkward values: the largest int64, microseconds, bytes with a zero, JSON, NULLs, exact decimals. */
const databases: { name: string; create: (dir: string) => Promise<{ url: string; drop: () => Promise<void> }> }[] = [
  {
    name: 'SQLite',
    async create(dir) {
      const file = path.join(dir, 'values.db');
      const db = new Database(file);
      db.exec(`CREATE TABLE v (id BIGINT, n INTEGER, at TIMESTAMP, price NUMERIC, raw BLOB, doc JSON, flag BOOLEAN, note TEXT);
        INSERT INTO v VALUES (9223372036854775807, 42, '2024-05-01 10:00:00.123456', '12.50', x'00ff10', '{"a":[1,2]}', 1, 'u1');
        INSERT INTO v VALUES (-1, NULL, NULL, NULL, NULL, NULL, 0, 'u1');`);
      db.close();
      return { url: `sqlite:${file}`, drop: async () => {} };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      return createPgSchema(
        'vals',
        `CREATE TABLE v (id BIGINT, n INTEGER, at TIMESTAMPTZ, price NUMERIC(10,2), raw BYTEA, doc JSONB, flag BOOLEAN, note TEXT);
        INSERT INTO v VALUES (9223372036854775807, 42, '2024-05-01 10:00:00.123456+00', 12.50, '\\x00ff10', '{"a":[1,2]}', true, 'u1');
        INSERT INTO v VALUES (-1, NULL, NULL, NULL, NULL, NULL, false, 'u1');`,
      );
    },
  },
  {
    name: 'MariaDB',
    async create() {
      const database = `vals_${randomBytes(4).toString('hex')}`;
      const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
      await c.query(`CREATE DATABASE ${database}; USE ${database};
        CREATE TABLE v (id BIGINT, n INTEGER, at DATETIME(6), price DECIMAL(10,2), raw BLOB, doc JSON, flag BOOLEAN, note TEXT);
        INSERT INTO v VALUES (9223372036854775807, 42, '2024-05-01 10:00:00.123456', 12.50, x'00ff10', '{"a":[1,2]}', true, 'u1');
        INSERT INTO v VALUES (-1, NULL, NULL, NULL, NULL, NULL, false, 'u1');`);
      await c.end();
      return {
        url: `${MYSQL_URL}/${database}`,
        async drop() {
          const d = await mysql.createConnection({ uri: MYSQL_URL });
          await d.query(`DROP DATABASE ${database}`);
          await d.end();
        },
      };
    },
  },
];

const dir = mkdtempSync(path.join(tmpdir(), 'dataport-sql-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportRows(source: Source, userId: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const file of source.exportGroup({ userId, group: 'x.values', jobId: 'j', signal: new AbortController().signal })) {
    if (file.kind === 'records') for await (const r of file.records) rows.push(r);
  }
  return rows;
}

describe.each(databases)('sql source values on $name', ({ create }) => {
  it('int64 as strings, timestamps RFC 3339 with microseconds, decimals exact, bytes base64, JSON as JSON, NULL as null', async () => {
    const { url, drop } = await create(dir);
    const group: GroupDefinition = {
      position: 0,
      name: 'x.values',
      scope: 'https://x.example/v',
      description: 'v',
      timeFilter: false,
      source: 'db',
      settings: {},
      files: [
        {
          path: 'X/v.json',
          format: 'json-array',
          query: 'SELECT id, n, at, price, raw, doc, flag FROM v WHERE note = :user_id ORDER BY id DESC',
          jsonColumns: ['doc'],
        },
      ],
    };
    const source = await createSqlSource({
      name: 'db',
      definition: { type: 'sql', url, attempts: 1, backoff: 0, fetchRows: 1, poolSize: 1 },
      groups: [group],
      baseDir: dir,
      locate: () => 'here',
    });
    try {
      const [full, empty] = (await exportRows(source, 'u1')) as Record<string, unknown>[];
      expect(full).toMatchObject({
        id: '9223372036854775807',
        n: 42,
        at: '2024-05-01T10:00:00.123456Z',
        raw: Buffer.from([0, 255, 16]).toString('base64'),
        doc: { a: [1, 2] },
      });
      expect(String(full!.price)).toMatch(/^12\.50?$/);
      expect([true, 1]).toContain(full!.flag);
      expect(empty).toMatchObject({ id: '-1', n: null, at: null, price: null, raw: null, doc: null });
      expect(await exportRows(source, 'nobody')).toEqual([]);
    } finally {
      await source.close?.();
      await drop();
    }
  });
});
