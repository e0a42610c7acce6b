import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import yauzl from 'yauzl';
import { download, initiate, waitComplete } from './lib/http.js';
import { DATAPORT_BIN, log, memoryOf, sampleRss, startDataportProcess } from './lib/processes.js';

/**
 * A large SQL export in bounded memory: seeds `--rows` rows (2,000,000 by default) for one user, starts
 * `dataport start` with a catalog whose `sql` source reads them, exports them through the API, and prints
 * JSON with the time from initiate to COMPLETE and the server's peak RSS (sampled, and the kernel's VmHWM).
 * The archive's index is read back to check every row arrived.
 *
 *   npx tsx bench/sql-export.ts [--rows 2000000] [--dialect sqlite|postgres] [--pg-url postgres://…/db]
 */
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    dialect: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const rows = Number(args.rows);
const dialect = args.dialect as 'sqlite' | 'postgres';
const USER = 'bench-user';

// Generated inside the database (a recursive CTE / generate_series), so seeding costs no client memory.
const SQLITE_SEED = `
CREATE TABLE events (id BIGINT PRIMARY KEY, user_id TEXT NOT NULL, at TIMESTAMP NOT NULL, kind TEXT NOT NULL, amount_cents INTEGER NOT NULL, details JSON);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
INSERT INTO events SELECT i, '${USER}', datetime(1577836800 + i * 15, 'unixepoch'),
  CASE i % 3 WHEN 0 THEN 'purchase' WHEN 1 THEN 'refund' ELSE 'view, "web"' END, i % 10000,
  json_object('sku', 'SKU-' || (i % 977), 'qty', i % 5 + 1) FROM n;
CREATE INDEX events_by_user ON events (user_id, at);`;
const pgSeed = (schema: string) => `
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.events (id BIGINT PRIMARY KEY, user_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, kind TEXT NOT NULL, amount_cents INTEGER NOT NULL, details JSONB);
INSERT INTO ${schema}.events SELECT i, '${USER}', timestamptz '2020-01-01 00:00:00+00' + i * interval '15 seconds',
  CASE i % 3 WHEN 0 THEN 'purchase' WHEN 1 THEN 'refund' ELSE 'view, "web"' END, i % 10000,
  jsonb_build_object('sku', 'SKU-' || (i % 977), 'qty', i % 5 + 1) FROM generate_series(1, ${rows}) i;
CREATE INDEX ON ${schema}.events (user_id, at);`;

const work = mkdtempSync(path.join(tmpdir(), 'dataport-bench-sql-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const pgSchema = `bench_sql_${process.pid}`;
try {
  log(`sql-export: seeding ${rows} rows (${dialect})`);
  const seedStarted = performance.now();
  let url: string;
  if (dialect === 'sqlite') {
    const file = path.join(work, 'events.db');
    const db = new Database(file);
    db.exec(SQLITE_SEED);
    db.close();
    url = `sqlite:${file}`;
  } else {
    const client = new pg.Client({ connectionString: args['pg-url'] });
    await client.connect();
    await client.query(pgSeed(pgSchema));
    await client.end();
    url = `${args['pg-url']}?options=${encodeURIComponent(`-c search_path=${pgSchema}`)}`;
  }
  const seedMs = performance.now() - seedStarted;

  const catalog = path.join(work, 'catalog.yaml');
  writeFileSync(catalog, `sources:
  app:
    type: sql
    url: \${BENCH_DB_URL}
resourceGroups:
  - name: app.events
    scope: https://bench.example/auth/app.events
    description: Every event
    timeFilter: true
    source: app
    files:
      - path: App/Events.json
        query: SELECT id, at, kind, amount_cents, details FROM events WHERE user_id = :user_id AND at BETWEEN :start_time AND :end_time ORDER BY at
`);
  const env = { DATAPORT_CATALOG: catalog, BENCH_DB_URL: url, DATAPORT_DATA_DIR: dataDir, DATAPORT_LOG_LEVEL: 'warn' };
  const token = await mintToken(env);
  const server = await startDataportProcess(dataDir, env);
  try {
    const idle = memoryOf(server.pid);
    const rss = sampleRss(server.pid, 25);
    const started = performance.now();
    const jobId = await initiate(server.url, token, ['app.events']);
    const state = await waitComplete(server.url, token, jobId, 200, 30 * 60_000);
    const exportMs = performance.now() - started;
    const memory = rss.stop();
    let archiveBytes = 0;
    let records = 0;
    for (const [i, signed] of (state.urls ?? []).entries()) {
      const file = path.join(work, `part-${i}.zip`);
      await download(signed, file);
      archiveBytes += statSync(file).size;
      if (i === state.urls!.length - 1) records = (await readIndex(file)).totals.records;
      rmSync(file);
    }
    if (records !== rows) throw new Error(`the archive holds ${records} records, expected ${rows}`);
    console.log(JSON.stringify({
      benchmark: 'sql-export', dialect, rows, seedMs: Math.round(seedMs), exportMs: Math.round(exportMs),
      rowsPerSecond: Math.round(rows / (exportMs / 1000)), parts: state.urls?.length ?? 0, archiveBytes,
      idleRssBytes: idle?.rssBytes, peakRssBytes: memory.peakRssBytes, vmHwmBytes: memory.vmHwmBytes,
      node: process.version,
    }, null, 2));
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: args['pg-url'] });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    await client.end();
  }
}

/** `dataport token` with the benchmark's catalog, so the grant names its group. */
async function mintToken(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [DATAPORT_BIN, 'token', '--user', USER, '--resources', 'app.events'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`dataport token exited with ${String(code)}`);
  return out.trim().split('\n').at(-1)!;
}

/** Reads only `archive_browser.json` from a part on disk. */
async function readIndex(file: string): Promise<{ totals: { records: number } }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('archive_browser.json')) return zip.readEntry();
      zip.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          zip.close();
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
      });
    });
    zip.on('end', () => reject(new Error('no archive_browser.json in the last part')));
    zip.readEntry();
  });
}
