/**
 * How soon a killed worker's job runs again on the scaled stack, with a backlog waiting. Prints JSON on stdout
 * (progress on stderr).
 *
 *   eval "$(scripts/s3-ceph-rgw.sh)"
 *   DATAPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/takeover.ts
 *
 * Options (env): TAKEOVER_LEASE (default 5s), TAKEOVER_ROUNDS (default 3), TAKEOVER_BACKLOG (jobs queued,
 * default 60), TAKEOVER_JOB_MS (each job's least duration, default 2000).
 *
 * One `serve`, one surviving worker (B) and, each round, a fresh worker (A); both take one export at a time.
 * A round waits until A runs a job, kills A with SIGKILL, and measures from the kill until B claims that job
 * (`claimedAfterMs`) and until it is COMPLETE. Meanwhile B works through the backlog, so a job that waited
 * behind it would take about backlog × job time.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenService } from '../src/auth/index.js';
import { googleCatalog } from '../src/catalog/index.js';
import { jobsSql, openDatabase } from '../src/store/index.js';
import { googleClient } from '../test/helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../test/helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../test/helpers/scaled-stack.js';

const LEASE = process.env.TAKEOVER_LEASE ?? '5s';
const ROUNDS = Number(process.env.TAKEOVER_ROUNDS ?? 3);
const BACKLOG = Number(process.env.TAKEOVER_BACKLOG ?? 60);
const JOB_MS = Number(process.env.TAKEOVER_JOB_MS ?? 2000);

const log = (msg: string) => process.stderr.write(`[takeover] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

if (scaledStackUnavailable) {
  console.error(`takeover: ${scaledStackUnavailable}`);
  process.exit(2);
}

const database = await createTestDatabase();
const bucket = await createTestBucket();
const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-takeover-'));
const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 2 });
const children: ChildProcess[] = [];
const rounds: { claimedAfterMs: number; completedAfterMs: number; waitingAtKill: number }[] = [];
try {
  const env = {
    DATAPORT_DATABASE_URL: database.url,
    ...bucket.env,
    DATAPORT_DATA_DIR: dataDir,
    DATAPORT_JOB_LEASE: LEASE,
    DATAPORT_DEMO_RECORDS: '20',
    DATAPORT_DEMO_FAULTS: `chrome.history=slow:${JOB_MS}`,
    DATAPORT_WORKER_CONCURRENCY: '1',
    DATAPORT_EXPORT_THREADS: '0',
    DATAPORT_LOG_LEVEL: 'warn',
  };
  const server = await startServerProcess(env, 'serve');
  children.push(server.child);
  const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
  for (let i = 0; i < BACKLOG; i++) {
    const { accessToken } = await tokens.grantAndIssueToken({ userId: `takeover-${i}`, clientId: 'bench', resources: ['chrome.history'], access: 'once' });
    await googleClient(server.url, accessToken).portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
  }
  log(`${BACKLOG} jobs queued, lease ${LEASE}`);
  const survivor = await startWorkerProcess(env);
  children.push(survivor.child);

  for (let round = 0; round < ROUNDS; round++) {
    const victim = await startWorkerProcess(env);
    children.push(victim.child);
    const mark = `:${victim.child.pid}:`;
    let jobId: string | undefined;
    const deadline = Date.now() + 60_000;
    while (!jobId) {
      if (Date.now() > deadline) throw new Error('the victim never claimed a job');
      const held = await store.db
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'IN_PROGRESS')
        .where('lease_owner', 'like', `%${mark}%`)
        .executeTakeFirst();
      jobId = held?.id;
      if (!jobId) await sleep(20);
    }
    const waitingAtKill = (await store.db.selectFrom('jobs').select('id').where('state', '=', 'IN_PROGRESS').where('lease_owner', 'is', null).execute()).length;
    const killed = Date.now();
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    let claimedAfterMs: number | undefined;
    for (;;) {
      const job = (await jobsSql.findJob(store.db, jobId))!;
      if (claimedAfterMs === undefined && job.attempt > 1) claimedAfterMs = Date.now() - killed;
      if (job.state !== 'IN_PROGRESS') {
        if (job.state !== 'COMPLETE') throw new Error(`job ${jobId} ended ${job.state}`);
        claimedAfterMs ??= Date.now() - killed;
        break;
      }
      if (Date.now() - killed > 15 * 60_000) throw new Error('no takeover within 15 minutes');
      await sleep(20);
    }
    const completedAfterMs = Date.now() - killed;
    rounds.push({ claimedAfterMs, completedAfterMs, waitingAtKill });
    log(`round ${round + 1}: claimed after ${claimedAfterMs} ms, COMPLETE after ${completedAfterMs} ms (${waitingAtKill} jobs waiting at the kill)`);
  }
} finally {
  for (const c of children.reverse()) await stop(c);
  await store.close();
  await bucket.drop();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(
  JSON.stringify(
    {
      benchmark: 'takeover',
      what: 'from SIGKILL of the worker running a job until another worker claims it (and until COMPLETE), with a backlog waiting',
      machine: { cpus: cpus().length, node: process.version },
      setup: { lease: LEASE, backlog: BACKLOG, jobMs: JOB_MS, workers: '1 survivor + 1 victim per round, one export each' },
      rounds,
    },
    null,
    2,
  ),
);
