import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInThread } from '../../../src/sources/sql/sqlite-reader.js';

describe('readInThread', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-sqlite-reader-'));
    file = path.join(dir, 'r.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) INSERT INTO t SELECT i, CASE i WHEN 23 THEN 'x' ELSE json_object('i', i) END FROM n;`);
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = (text: string, values: unknown[] = [], fetchRows = 10) => readInThread({ file, text, values, fetchRows, busyTimeoutMs: 1000 });

  it("posts every row's values as SQLite gives them, fetchRows rows a batch, in order", async () => {
    const sizes: number[] = [];
    const values: unknown[] = [];
    for await (const batch of read('SELECT id, doc FROM t WHERE id <= ? ORDER BY id', [22]).batches) {
      sizes.push(batch.length / 2);
      values.push(...batch);
    }
    expect(sizes).toEqual([10, 10, 2]);
    expect(values).toEqual(Array.from({ length: 22 }, (_, i) => [BigInt(i + 1), `{"i":${i + 1}}`]).flat());
  });

  it('stops reading an endless result when the caller stops taking batches', async () => {
    const reader = read('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS id, NULL AS doc FROM n', [], 1000);
    let taken = 0;
    for await (const batch of reader.batches) {
      expect(batch[0]).toBe(BigInt(taken * 1000 + 1));
      if (++taken === 3) break;
    }
    await reader.close(); // stopped already: closing again is harmless
    expect(taken).toBe(3);
  });

  it('is closed before it started without starting a thread', async () => {
    const reader = read('SELECT id, doc FROM t');
    await reader.close();
  });

  it("ends with the thread's failure: its name, message and SQLite's code", async () => {
    const rows: unknown[] = [];
    const failure = await (async () => {
      try {
        for await (const batch of read("SELECT id, json_extract(doc, '$.i') AS i FROM t ORDER BY id", [], 5).batches) rows.push(...batch);
      } catch (error) {
        return error as Error & { code?: string };
      }
    })();
    expect(rows).toHaveLength(40); // four whole batches of two values a row before the row that fails
    expect(failure).toMatchObject({ name: 'SqliteError', message: 'malformed JSON', code: 'SQLITE_ERROR' });
  });
});
