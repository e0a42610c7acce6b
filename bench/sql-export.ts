import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import yauzl from 'yauzl';
import { download, initiate, waitComplete } from './lib/http.js';
import { round } from './lib/numbers.js';
import {
  buildDataport,
  cpuTimeOf,
  DATAPORT_BIN,
  log,
  memoryOf,
  runCommand,
  sampleRss,
  startDataportProcess,
  threadCpuOf,
  threadCpuSince,
} from './lib/processes.js';

/**
 * A large SQL export in bounded memory, beside the script a DBA would write instead: seeds `rows` rows
 * (bigint, timestamp, text, numeric, JSON) for one user, starts `dataport start` with a catalog whose `sql`
 * source reads them, exports them through the API (initiate → COMPLETE), then runs the reference on the same
 * rows: the database's own client printing one JSON object a row, piped to `pigz -6 -p <cores>`:
 *
 * - PostgreSQL: `psql -c "\copy (SELECT row_to_json(t) FROM (…) t) TO STDOUT" | pigz`
 * - MariaDB/MySQL: `mariadb --batch --raw --skip-column-names -e "SELECT JSON_OBJECT(…) …" | pigz`
 * - SQLite: `sqlite3 -json file "SELECT …" | pigz`
 *
 * Each (export, script) pair runs one after the other, every export on a fresh server; with several pairs the
 * one with the median ratio is reported and every pair is listed (the peak RSS target is checked on all).
 * `--concurrent N`: N exports of the same rows at once (N groups with the same query, one job each, as two
 * users' exports would run side by side on the server's workers) beside N scripts at once; the wall times are
 * those of the last to finish. For the memory target: every export thread, SQLite reader and batch in flight
 * at the same time.
 *
 *   npx tsx bench/sql-export.ts [--rows 2000000] [--dialect sqlite|postgres|mysql] [--pairs 1] [--concurrent 1] [--profile dir]
 *     [--node-args='--flag …']
 */
export type BenchDialect = 'sqlite' | 'postgres' | 'mysql';

export interface SqlExportOptions {
  dialect: BenchDialect;
  rows: number;
  pairs: number;
  pgUrl?: string;
  /** mysql://user@host:port (no database: the benchmark creates its own). */
  mysqlUrl?: string;
  /** Exports (and scripts) at once, each of all the rows; 1 unless said. */
  concurrent?: number;
  /** Extra `node` flags for the server (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

const USER = 'bench-user';
const DEFLATE_LEVEL = 6;
const COLUMNS = 'id, at, kind, amount, details';
const ORDERED = `FROM events WHERE user_id = '${USER}' ORDER BY at`;

// Generated inside the database (a recursive CTE, generate_series, MariaDB's sequence engine), so seeding
// costs no client memory. Vacuumed and analyzed as a table at rest would be: whichever reads fresh rows first
// in PostgreSQL pays for setting their hint bits, and the export runs before the script. Every third kind needs escaping in JSON (a quote).
const KIND = (i: string) => `CASE ${i} % 3 WHEN 0 THEN 'purchase' WHEN 1 THEN 'refund' ELSE 'view, "web"' END`;
const sqliteSeed = (rows: number) => `
CREATE TABLE events (id BIGINT PRIMARY KEY, user_id TEXT NOT NULL, at TIMESTAMP NOT NULL, kind TEXT NOT NULL, amount NUMERIC NOT NULL, details JSON);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
INSERT INTO events SELECT i, '${USER}', datetime(1577836800 + i * 15, 'unixepoch'), ${KIND('i')}, (i % 10000) / 100.0,
  json_object('sku', 'SKU-' || (i % 977), 'qty', i % 5 + 1) FROM n;
CREATE INDEX events_by_user ON events (user_id, at);
ANALYZE;`;
const pgSeed = (schema: string, rows: number) => `
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.events (id BIGINT PRIMARY KEY, user_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, kind TEXT NOT NULL, amount NUMERIC(12,2) NOT NULL, details JSONB);
INSERT INTO ${schema}.events SELECT i, '${USER}', timestamptz '2020-01-01 00:00:00+00' + i * interval '15 seconds', ${KIND('i')},
  (i % 10000) / 100.0, jsonb_build_object('sku', 'SKU-' || (i % 977), 'qty', i % 5 + 1) FROM generate_series(1, ${rows}) i;
CREATE INDEX ON ${schema}.events (user_id, at);`;
const mysqlSeed = (rows: number) => [
  `CREATE TABLE events (id BIGINT PRIMARY KEY, user_id VARCHAR(64) NOT NULL, at DATETIME(6) NOT NULL, kind VARCHAR(32) NOT NULL, amount DECIMAL(12,2) NOT NULL, details JSON)`,
  `INSERT INTO events SELECT seq, '${USER}', TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq * 15 SECOND, ${KIND('seq')},
    (seq % 10000) / 100.0, JSON_OBJECT('sku', CONCAT('SKU-', seq % 977), 'qty', seq % 5 + 1) FROM seq_1_to_${rows}`,
  `CREATE INDEX events_by_user ON events (user_id, at)`,
  `ANALYZE TABLE events`,
];

interface SeededDatabase {
  /** Dataport's source URL. */
  url: string;
  jsonColumns: string[];
  /** The reference: a shell pipeline printing one JSON object a row on stdout (pigz is added after it). */
  script: string;
  /** Environment for the script. */
  scriptEnv: Record<string, string>;
  drop(): Promise<void>;
}

async function seed(options: SqlExportOptions, work: string): Promise<SeededDatabase> {
  const name = `bench_sql_${process.pid}`;
  if (options.dialect === 'sqlite') {
    const file = path.join(work, 'events.db');
    const db = new Database(file);
    db.exec(sqliteSeed(options.rows));
    db.close();
    return {
      url: `sqlite:${file}`,
      jsonColumns: [],
      scriptEnv: {},
      script: `sqlite3 -json ${file} "SELECT ${COLUMNS} ${ORDERED.replace(/"/g, '\\"')}"`,
      drop: async () => {},
    };
  }
  if (options.dialect === 'postgres') {
    const pgUrl = options.pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(pgSeed(name, options.rows));
    await client.query(`VACUUM ANALYZE ${name}.events`); // not inside the seed's implicit transaction
    await client.end();
    return {
      url: `${pgUrl}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
      jsonColumns: [],
      script: `psql -X -q "${pgUrl}" -c "\\copy (SELECT row_to_json(t) FROM (SELECT ${COLUMNS} ${ORDERED}) t) TO STDOUT"`,
      scriptEnv: { PGOPTIONS: `-c search_path=${name}` },
      async drop() {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await c.end();
      },
    };
  }
  const base = new URL(options.mysqlUrl ?? 'mysql://root@127.0.0.1:3306');
  const admin = await mysql.createConnection({ uri: base.href, multipleStatements: false });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`USE ${name}`);
  for (const statement of mysqlSeed(options.rows)) await admin.query(statement);
  await admin.end();
  const client = ['mariadb', `-h${base.hostname}`, `-P${base.port || 3306}`, `-u${decodeURIComponent(base.username || 'root')}`];
  if (base.password) client.push(`-p${decodeURIComponent(base.password)}`);
  return {
    url: `mysql://${base.username || 'root'}${base.password ? `:${base.password}` : ''}@${base.host}/${name}`,
    jsonColumns: ['details'],
    // JSON_EXTRACT(details, '$') keeps the document a JSON value inside the object (MariaDB's JSON is text).
    script: `${client.join(' ')} --batch --raw --skip-column-names -D ${name} -e "SELECT JSON_OBJECT('id', id, 'at', at, 'kind', kind, 'amount', amount, 'details', JSON_EXTRACT(details, '\\$')) ${ORDERED.replace(/"/g, '\\"')}"`,
    scriptEnv: {},
    async drop() {
      const c = await mysql.createConnection({ uri: base.href });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

export async function sqlExport(options: SqlExportOptions) {
  const work = mkdtempSync(path.join(tmpdir(), 'dataport-bench-sql-'));
  const cores = cpus().length;
  let database: SeededDatabase | undefined;
  try {
    log(`sql-export: seeding ${options.rows} rows (${options.dialect})`);
    const seedStarted = performance.now();
    database = await seed(options, work);
    const seedMs = performance.now() - seedStarted;
    const pairs: Awaited<ReturnType<typeof onePair>>[] = [];
    for (let i = 0; i < options.pairs; i++) {
      if (options.pairs > 1) log(`sql-export (${options.dialect}): pair ${i + 1} of ${options.pairs}`);
      pairs.push(await onePair(options, database, path.join(work, `pair-${i}`), cores));
    }
    const ranked = [...pairs].sort((a, b) => a.wallTimeRatio - b.wallTimeRatio);
    const median = ranked[Math.floor((ranked.length - 1) / 2)]!;
    const peakRssMiB = Math.max(...pairs.map((p) => p.dataport.serverPeakRssMiB));
    return {
      dialect: options.dialect,
      rows: options.rows,
      concurrent: options.concurrent ?? 1,
      seedMs: Math.round(seedMs),
      ...median,
      targets: {
        wallTimeRatioAtMost: 1.5,
        wallTimeRatioMet: median.wallTimeRatio <= 1.5,
        serverPeakRssMiBAtMost: 256,
        serverPeakRssMiB: peakRssMiB,
        serverPeakRssMet: peakRssMiB <= 256,
      },
      pairs: pairs.map((p) => ({
        dataportWallMs: p.dataport.wallMs,
        scriptWallMs: p.script.wallMs,
        wallTimeRatio: p.wallTimeRatio,
        dataportCpuMs: p.dataport.serverCpuMs,
        dataportThreadCpuMs: p.dataport.serverThreadCpuMs,
        scriptCpuMs: p.script.cpuMs,
        cpuTimeRatio: p.cpuTimeRatio,
        serverPeakRssMiB: p.dataport.serverPeakRssMiB,
      })),
      note: `median of ${pairs.length} (export, script) pair(s), each export on a fresh server; the peak RSS target is checked on every pair`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await database?.drop();
  }
}

async function onePair(options: SqlExportOptions, database: SeededDatabase, work: string, cores: number) {
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir, { recursive: true });
  const catalog = path.join(work, 'catalog.yaml');
  // One group per concurrent export, all with the same query: a one-time grant allows one export per group.
  const groups = Array.from({ length: options.concurrent ?? 1 }, (_, i) => (i === 0 ? 'app.events' : `app.events-${i + 1}`));
  writeFileSync(
    catalog,
    `sources:
  app:
    type: sql
    url: \${BENCH_DB_URL}
resourceGroups:
${groups
  .map(
    (group, i) => `  - name: ${group}
    scope: https://bench.example/auth/${group}
    description: Every event
    timeFilter: true
    source: app
    files:
      - path: App/Events${i === 0 ? '' : `-${i + 1}`}.json
        query: SELECT ${COLUMNS} FROM events WHERE user_id = :user_id AND at BETWEEN :start_time AND :end_time ORDER BY at
${database.jsonColumns.length > 0 ? `        jsonColumns: [${database.jsonColumns.join(', ')}]\n` : ''}`,
  )
  .join('')}`,
  );
  const env = {
    DATAPORT_CATALOG: catalog,
    BENCH_DB_URL: database.url,
    DATAPORT_DATA_DIR: dataDir,
    DATAPORT_LOG_LEVEL: 'warn',
    DATAPORT_DEFLATE_LEVEL: String(DEFLATE_LEVEL),
  };
  const token = await mintToken(env, groups);
  const server = await startDataportProcess(dataDir, env, options.nodeArgs);
  let dataport;
  try {
    const idle = memoryOf(server.pid);
    const rss = sampleRss(server.pid, 25);
    log(`sql-export (${options.dialect}): exporting ${options.rows} rows through the API`);
    const cpuBefore = cpuTimeOf(server.pid);
    const threadsBefore = threadCpuOf(server.pid);
    const started = performance.now();
    const jobIds = await Promise.all(groups.map((group) => initiate(server.url, token, [group])));
    const states = await Promise.all(jobIds.map((jobId) => waitComplete(server.url, token, jobId, 20, 30 * 60_000)));
    const wallMs = performance.now() - started;
    const serverCpuMs = cpuTimeOf(server.pid) - cpuBefore;
    const serverThreadCpuMs = threadCpuSince(threadsBefore, threadCpuOf(server.pid));
    const memory = rss.stop();
    let archiveBytes = 0;
    for (const state of states) {
      let records = 0;
      for (const [i, signed] of (state.urls ?? []).entries()) {
        const file = path.join(work, `part-${i}.zip`);
        await download(signed, file);
        archiveBytes += statSync(file).size;
        if (i === state.urls!.length - 1) records = (await readIndex(file)).totals.records;
        rmSync(file);
      }
      if (records !== options.rows) throw new Error(`an archive holds ${records} records, expected ${options.rows}`);
    }
    dataport = {
      wallMs: round(wallMs),
      serverCpuMs: round(serverCpuMs),
      // The same by thread: the main thread (driver, conversion, serialization), deflate, the collector.
      serverThreadCpuMs,
      rowsPerSecond: Math.round(options.rows / (wallMs / 1000)),
      parts: states.reduce((n, state) => n + (state.urls?.length ?? 0), 0),
      archiveBytes,
      serverIdleRssMiB: idle ? round(idle.rssBytes / 1024 ** 2) : null,
      serverPeakRssBytes: memory.peakRssBytes,
      serverVmHwmBytes: memory.vmHwmBytes,
      serverPeakRssMiB: round(Math.max(memory.peakRssBytes, memory.vmHwmBytes || 0) / 1024 ** 2),
    };
  } finally {
    await server.stop();
  }

  log(`sql-export (${options.dialect}): the script on the same rows, pigz -${DEFLATE_LEVEL} -p ${cores}`);
  const outs = groups.map((_, i) => path.join(work, `reference-${i + 1}.json.gz`));
  // N pipelines at once, as N people running the script side by side.
  const pipelines = outs.map((out) => `(${database.script} | pigz -${DEFLATE_LEVEL} -p ${cores} > ${out})`);
  // Each waited for by its own id, so one that fails fails the benchmark (a bare `wait` would answer 0).
  const command =
    pipelines.length === 1
      ? `set -o pipefail; ${pipelines[0]}`
      : `set -o pipefail; ${pipelines.map((p) => `${p} &`).join(' ')} for p in $(jobs -p); do wait $p || exit 1; done`;
  const started = performance.now();
  // `times` prints the CPU the pipeline's processes used (the client and pigz; the database server's is on
  // neither side), comparable with the Dataport server's CPU time.
  const times = await runCommand('bash', ['-c', `${command}; times`], { env: database.scriptEnv });
  const scriptMs = performance.now() - started;
  const [user, system] = [...(times.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  const script = {
    command: command
      .replaceAll(work, '.')
      .replaceAll(work.replace(/pair-\d+$/, ''), '')
      .replace(/^set -o pipefail; /, ''),
    wallMs: round(scriptMs),
    cpuMs: round((user ?? NaN) + (system ?? NaN)),
    compressedBytes: outs.reduce((n, out) => n + statSync(out).size, 0),
  };
  return {
    dataport,
    script,
    wallTimeRatio: round(dataport.wallMs / script.wallMs, 3),
    // Less moved by the machine's other load than the wall times: Dataport's process against the client + pigz.
    cpuTimeRatio: round(dataport.serverCpuMs / script.cpuMs, 3),
  };
}

/** `dataport token` with the benchmark's catalog, so the grant names its group. */
async function mintToken(env: Record<string, string>, groups: string[]): Promise<string> {
  const child = spawn(process.execPath, [DATAPORT_BIN, 'token', '--user', USER, '--resources', groups.join(',')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

// Run on its own (not imported by run.ts): one dialect, JSON on stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values: args } = parseArgs({
    options: {
      rows: { type: 'string', default: '2000000' },
      dialect: { type: 'string', default: 'postgres' },
      pairs: { type: 'string', default: '1' },
      concurrent: { type: 'string', default: '1' },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
      profile: { type: 'string' },
      // Extra flags for the server's `node`, for experiments (e.g. V8 heap settings).
      'node-args': { type: 'string', default: '' },
    },
  });
  buildDataport();
  const profile = args.profile ? path.resolve(args.profile) : undefined;
  const result = await sqlExport({
    dialect: args.dialect as BenchDialect,
    rows: Number(args.rows),
    pairs: Number(args.pairs),
    concurrent: Number(args.concurrent),
    pgUrl: args['pg-url'],
    mysqlUrl: args['mysql-url'],
    nodeArgs: [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), ...args['node-args'].split(' ').filter(Boolean)],
  });
  console.log(JSON.stringify({ benchmark: 'sql-export', ...result, node: process.version }, null, 2));
}
