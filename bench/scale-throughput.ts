/**
 * Jobs per minute with 1, 2 and 4 `dataport worker` processes on PostgreSQL + pg-boss + S3, one `dataport
 * serve` in front. Prints JSON on stdout (progress on stderr).
 *
 *   eval "$(scripts/s3-ceph-rgw.sh)"
 *   DATAPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/scale-throughput.ts
 *
 * Options (env): SCALE_BENCH_JOBS (default 400), SCALE_BENCH_RECORDS (records per group, default 300),
 * SCALE_BENCH_WORKERS (default "1,2,4"), SCALE_BENCH_CONCURRENCY (exports per worker process, default 1).
 * Each run gets its own database and bucket. Clients, the API process, PostgreSQL and the S3 gateway share
 * the machine with the workers, so on a small machine the curve flattens at the core count.
 */
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createTokenService } from '../src/auth/index.js';
import { googleCatalog } from '../src/catalog/index.js';
import { openDatabase } from '../src/store/index.js';
import { googleClient } from '../test/helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../test/helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../test/helpers/scaled-stack.js';

const JOBS = Number(process.env.SCALE_BENCH_JOBS ?? 400);
const RECORDS = Number(process.env.SCALE_BENCH_RECORDS ?? 300);
const WORKER_COUNTS = (process.env.SCALE_BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const CONCURRENCY = Number(process.env.SCALE_BENCH_CONCURRENCY ?? 1);
const GROUP_PAIRS = [
  ['myactivity.search', 'chrome.history'],
  ['play.installs', 'youtube.subscriptions'],
  ['maps.starred_places', 'play.library'],
  ['myactivity.youtube', 'chrome.bookmarks'],
] as const;

const log = (msg: string) => process.stderr.write(`[scale-bench] ${msg}\n`);

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function runWith(workerCount: number) {
  const database = await createTestDatabase();
  const bucket = await createTestBucket();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-scale-bench-'));
  const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 2 });
  const children: ChildProcess[] = [];
  try {
    const env = {
      DATAPORT_DATABASE_URL: database.url,
      ...bucket.env,
      DATAPORT_DATA_DIR: dataDir,
      DATAPORT_DEMO_RECORDS: String(RECORDS),
      DATAPORT_WORKER_CONCURRENCY: String(CONCURRENCY),
      DATAPORT_LOG_LEVEL: 'warn',
      // The bench measures throughput, not the limits: its users each queue several jobs at once.
      DATAPORT_MAX_JOBS_PER_USER: '0',
      DATAPORT_API_RATE_LIMIT: '0',
    };
    const server = await startServerProcess(env, 'serve');
    children.push(server.child);
    const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
    const users = Math.ceil(JOBS / GROUP_PAIRS.length);
    const clients = await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        const { accessToken } = await tokens.grantAndIssueToken({ userId: `bench-${u}`, clientId: 'bench', resources: GROUP_PAIRS.flat(), access: '30d' });
        return googleClient(server.url, accessToken);
      }),
    );

    // Queue every job first, then start the workers: the clock measures draining a full queue.
    let queued = 0;
    await Promise.all(
      clients.map(async (api) => {
        for (const pair of GROUP_PAIRS) {
          if (queued >= JOBS) return;
          queued++;
          await api.portabilityArchive.initiate({ requestBody: { resources: [...pair] } });
        }
      }),
    );
    log(`${workerCount} worker(s): ${queued} jobs queued`);

    const started = Date.now();
    await Promise.all(
      Array.from({ length: workerCount }, async () => {
        const w = await startWorkerProcess(env);
        children.push(w.child);
      }),
    );
    const ready = Date.now();
    // Workers that came up first have already started: count only what is finished after all are up.
    const doneBeforeReady = (await store.db.selectFrom('jobs').select('id').where('state', '!=', 'IN_PROGRESS').execute()).length;
    let complete = 0;
    while (complete < queued) {
      const rows = await store.db.selectFrom('jobs').select(['state']).where('state', '!=', 'IN_PROGRESS').execute();
      complete = rows.length;
      if (rows.some((r) => r.state !== 'COMPLETE')) throw new Error('a job did not complete');
      if (Date.now() - started > 15 * 60_000) throw new Error(`only ${complete}/${queued} jobs after 15 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const finished = Date.now();
    const bytes = await store.db
      .selectFrom('archive_parts')
      .select((eb) => eb.fn.sum<number>('size_bytes').as('b'))
      .executeTakeFirstOrThrow();
    const seconds = (finished - ready) / 1000;
    return {
      workers: workerCount,
      jobs: queued,
      secondsFromWorkersReady: Math.round(seconds * 10) / 10,
      workerStartupSeconds: Math.round((ready - started) / 100) / 10,
      jobsMeasured: queued - doneBeforeReady,
      jobsPerMinute: Math.round(((queued - doneBeforeReady) / seconds) * 60),
      archiveMiB: Math.round((Number(bytes.b) / 1024 / 1024) * 10) / 10,
    };
  } finally {
    for (const c of children.reverse()) await stop(c);
    await store.close();
    await bucket.drop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (scaledStackUnavailable) {
  console.error(`scale-throughput: ${scaledStackUnavailable}`);
  process.exit(2);
}
const results = [];
for (const n of WORKER_COUNTS) results.push(await runWith(n));
console.log(
  JSON.stringify(
    {
      benchmark: 'scale-throughput',
      what: 'archive jobs drained per minute from a full queue by N `dataport worker` processes (PostgreSQL + pg-boss + S3)',
      machine: { cpus: cpus().length, node: process.version },
      setup: {
        jobs: JOBS,
        recordsPerGroup: RECORDS,
        groupsPerJob: 2,
        exportsPerWorkerProcess: CONCURRENCY,
        apiProcesses: 1,
        s3: 'Ceph RGW (memstore) on the same machine',
      },
      results,
    },
    null,
    2,
  ),
);
