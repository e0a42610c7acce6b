import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json } from './export-archive.js';
import { TEST_PG_URL } from './pg-schema.js';

/**
 * A PostgreSQL result is streamed with COPY: a query that fails after rows were sent, and a result given up
 * before its end (json-object with more than one row), fail their export and leave the source usable. With a
 * pool of one connection, a connection left in the middle of a COPY would make the next export hang or fail.
 */

const GROUPS = {
  // Division by zero at row 150,000: the server has sent rows before it fails.
  'stream.fails': `SELECT i, 1 / (150000 - i) AS x, repeat('x', 100) AS pad FROM generate_series(1, 200000) i WHERE :user_id <> ''`,
  'stream.given-up': `SELECT i, repeat('y', 100) AS pad FROM generate_series(1, 200000) i WHERE :user_id <> ''`,
  'stream.ok': `SELECT i, :user_id AS who FROM generate_series(1, 3) i WHERE :user_id <> '' ORDER BY i`,
};

describe('PostgreSQL sql source: a result that fails or is given up mid-stream', () => {
  let dp: TestDataport;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-sql-stream-'));
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      `sources:
  db:
    type: sql
    url: \${STREAM_DATABASE_URL}
    poolSize: 1
    attempts: 1
resourceGroups:
${Object.entries(GROUPS)
  .map(
    ([name, query]) => `  - name: ${name}
    scope: https://stream.example/auth/${name}
    description: ${name}
    source: db
    files:
      - path: Stream/Rows.json
        format: ${name === 'stream.given-up' ? 'json-object' : 'json-array'}
        query: ${JSON.stringify(query)}
`,
  )
  .join('')}`,
    );
    dp = await startDataport({ DATAPORT_CATALOG: catalog, STREAM_DATABASE_URL: TEST_PG_URL });
  });
  afterAll(async () => {
    await dp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the export, then the same source (one connection) exports again', async () => {
    expect((await exportThroughApi(dp, 'u1', ['stream.fails'])).state).toBe('FAILED');
    expect((await exportThroughApi(dp, 'u1', ['stream.given-up'])).state).toBe('FAILED');
    const ok = await exportThroughApi(dp, 'u1', ['stream.ok']);
    expect(ok.state).toBe('COMPLETE');
    expect(json(ok.files, 'Stream/Rows.json')).toEqual([1, 2, 3].map((i) => ({ i, who: 'u1' })));
  });
});
