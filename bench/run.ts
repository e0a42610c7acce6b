/**
 * `npm run bench [-- --quick] [-- --only export|api|poll|initiate|sql|many-users]`: runs Dataport's benchmarks against the real server
 * (child processes over HTTP, load from a separate process: autocannon, or lib/steady-load.ts for a steady
 * rate; Info-ZIP `zip` as the compression
 * reference) and prints ONE JSON document on stdout. Progress goes to stderr.
 *
 * Full run: ~1 GB of My Activity JSON; well under 10 minutes on a 2-core machine. `--quick`: ~100 MB and
 * short load runs, a smoke test of the benchmark itself. `--profile <dir>`: CPU profiles of the servers.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { apiBenchmarks } from './api-latency.js';
import { exportThroughput } from './export-throughput.js';
import { manyUsers } from './many-users.js';
import { sqlExport, type BenchDialect } from './sql-export.js';
import { round } from './lib/numbers.js';
import { buildDataport, log } from './lib/processes.js';

/** Bytes of serialized JSON per `myactivity.search` record, measured on the demo source (~343). */
const BYTES_PER_RECORD = 343;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const deflateLevel = 6;
// `--profile <dir>`: the servers run with `node --cpu-prof`, one .cpuprofile per server in <dir>/<benchmark>.
const profileDir = args.includes('--profile') ? path.resolve(args[args.indexOf('--profile') + 1]!) : undefined;
const profileArgs = (name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : []);

log('building (npm run build): the servers run the compiled dist/, as `npm start` does');
buildDataport();

const zipAvailable = spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0;
if (!zipAvailable) log('WARNING: Info-ZIP `zip` is not installed (apt-get install -y zip); the export reference is missing');
const pigzAvailable = spawnSync('pigz', ['--version'], { stdio: 'ignore' }).status === 0;
if (!pigzAvailable) log('WARNING: `pigz` is not installed (apt-get install -y pigz); the parallel export reference and the sql references are missing');

const started = performance.now();
const report: Record<string, unknown> = {
  benchmark: 'dataport',
  mode: quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  // 1, 5 and 15 minute load averages: this machine is shared, and the figures move with them.
  loadAverage: { atStart: loadavg().map((l) => round(l)) },
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform },
  reference: {
    zip: zipAvailable ? firstLine(spawnSync('zip', ['-v'], { encoding: 'utf8' }).stdout, /This is Zip [^\s]+/) : null,
    pigz: pigzAvailable
      ? firstLine(spawnSync('pigz', ['--version'], { encoding: 'utf8' }).stdout + spawnSync('pigz', ['--version'], { encoding: 'utf8' }).stderr, /pigz [^\s]+/)
      : null,
    bareFastify: 'fastify (same version as Dataport), a state route and an initiate route',
  },
};

if (!only || only === 'export') {
  const targetBytes = quick ? 100e6 : 1e9;
  report.export = await exportThroughput({
    records: Math.round(targetBytes / BYTES_PER_RECORD),
    samples: quick || profileDir ? 1 : 3,
    deflateLevel,
    zipAvailable,
    pigzAvailable,
    nodeArgs: profileArgs('export'),
  });
}
if (!only || only === 'api' || only === 'poll' || only === 'initiate') {
  report.api = await apiBenchmarks(
    {
      ...(quick
        ? { pollSeconds: 3, pollConnections: 10, initiateRate: 200, initiateSeconds: 3, firstByteSamples: 10 }
        : { pollSeconds: 10, pollConnections: 10, initiateRate: 200, initiateSeconds: 10, firstByteSamples: 30 }),
      pollOnly: only === 'poll',
      initiateOnly: only === 'initiate',
    },
    profileArgs('api'),
  );
}
if ((!only || only === 'sql') && pigzAvailable) {
  // Each dialect's export through the API beside its own client piped to pigz, on the same rows.
  const sql: Record<string, unknown> = {};
  for (const dialect of ['postgres', 'mysql', 'sqlite'] as BenchDialect[]) {
    sql[dialect] = await sqlExport({ dialect, rows: quick ? 100_000 : 2_000_000, pairs: quick || profileDir ? 1 : 3, nodeArgs: profileArgs(`sql-${dialect}`) });
  }
  report.sql = sql;
}
// Target 4 of issue 18: run on request only (a full run is ~3.4 GB of exports on each stack).
if (only === 'many-users') {
  report.manyUsers = await manyUsers(quick ? { users: 20, records: 1_000, pollMs: 500 } : { users: 200, records: 10_000, pollMs: 1_000 });
}
report.loadAverage = { ...(report.loadAverage as object), atEnd: loadavg().map((l) => round(l)) };
report.totalSeconds = round((performance.now() - started) / 1000);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

function firstLine(text: string, pattern: RegExp): string | null {
  return pattern.exec(text)?.[0] ?? null;
}
