import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenService } from '../src/auth/index.js';
import { googleCatalog } from '../src/catalog/index.js';
import { openDatabase } from '../src/store/index.js';
import { startServerProcess, startWorkerProcess } from '../test/helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../test/helpers/scaled-stack.js';
import { getState, initiate } from './lib/http.js';
import { percentile, round } from './lib/numbers.js';
import { log, sampleRss, startDataportProcess } from './lib/processes.js';

/**
 * Many users at once (issue 18, target 4): `users` users each initiate one export of 5 groups of `records`
 * records at the same moment, then poll their job every `pollMs` like a client until it is COMPLETE. Reported:
 * jobs per minute (all jobs over the time the last one took), time to COMPLETE (p50, p99, max, and max / median:
 * a job that starves shows as a large ratio), the latency of every state poll made while the exports ran, and the
 * servers' peak RSS. Embedded (`dataport start`, SQLite) always; scaled (1 `dataport serve` + 2 `dataport worker`,
 * PostgreSQL + S3) when the scaled-stack variables are set (DATAPORT_TEST_POSTGRES_URL, the S3 ones).
 */
export interface ManyUsersOptions {
  users: number;
  records: number;
  pollMs: number;
}

const GROUPS = ['myactivity.search', 'chrome.history', 'play.installs', 'youtube.subscriptions', 'maps.starred_places'];

export async function manyUsers(options: ManyUsersOptions) {
  const embedded = await runEmbedded(options);
  const scaled = scaledStackUnavailable ? { skipped: scaledStackUnavailable } : await runScaled(options);
  return { users: options.users, groupsPerJob: GROUPS.length, recordsPerGroup: options.records, pollMs: options.pollMs, embedded, scaled };
}

async function runEmbedded(options: ManyUsersOptions) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-bench-many-'));
  const server = await startDataportProcess(dataDir, { DATAPORT_DEMO_RECORDS: String(options.records) });
  const store = openDatabase({ dataDir, poolSize: 1 });
  try {
    const tokens = await mintTokens(store, options.users);
    log(`many-users (embedded): ${options.users} users × ${GROUPS.length} groups × ${options.records} records`);
    const rss = sampleRss(server.pid, 50);
    const result = await everyoneAtOnce(server.url, tokens, options);
    const memory = rss.stop();
    return {
      stack: 'embedded: dataport start (SQLite, local folder)',
      ...result,
      serverPeakRssMiB: round(Math.max(memory.peakRssBytes, memory.vmHwmBytes || 0) / 1024 ** 2),
    };
  } finally {
    await server.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runScaled(options: ManyUsersOptions) {
  const database = await createTestDatabase();
  const bucket = await createTestBucket();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-bench-many-scaled-'));
  const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 2 });
  const children: ChildProcess[] = [];
  try {
    const env = {
      DATAPORT_DATABASE_URL: database.url,
      ...bucket.env,
      DATAPORT_DATA_DIR: dataDir,
      DATAPORT_DEMO_RECORDS: String(options.records),
      DATAPORT_LOG_LEVEL: 'warn',
      DATAPORT_MAX_JOBS_PER_USER: '0',
      DATAPORT_API_RATE_LIMIT: '0',
      NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=1024', // as docs/operations.md says to start them
    };
    const server = await startServerProcess(env, 'serve');
    children.push(server.child);
    for (let i = 0; i < 2; i++) children.push((await startWorkerProcess(env)).child);
    const tokens = await mintTokens(store, options.users);
    log(`many-users (scaled): ${options.users} users × ${GROUPS.length} groups × ${options.records} records`);
    const samplers = children.map((c) => sampleRss(c.pid!, 50));
    const result = await everyoneAtOnce(server.url, tokens, options);
    const peaks = samplers.map((s) => s.stop()).map((m) => round(Math.max(m.peakRssBytes, m.vmHwmBytes || 0) / 1024 ** 2));
    return { stack: 'scaled: 1 dataport serve + 2 dataport worker (PostgreSQL, S3)', ...result, peakRssMiB: { serve: peaks[0], workers: peaks.slice(1) } };
  } finally {
    for (const c of children.reverse()) await stop(c);
    await store.close();
    await bucket.drop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mintTokens(store: ReturnType<typeof openDatabase>, users: number): Promise<string[]> {
  const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
  const out: string[] = [];
  for (let u = 0; u < users; u++) {
    out.push((await tokens.grantAndIssueToken({ userId: `many-${u}`, clientId: 'bench', resources: GROUPS, access: 'once' })).accessToken);
  }
  return out;
}

/** Every user initiates at the same moment, then polls its own job until COMPLETE. */
async function everyoneAtOnce(url: string, tokens: string[], options: ManyUsersOptions) {
  const started = performance.now();
  const pollLatencies: number[] = [];
  const completions = await Promise.all(
    tokens.map(async (token) => {
      const jobId = await initiate(url, token, GROUPS);
      for (;;) {
        await new Promise((r) => setTimeout(r, options.pollMs));
        const asked = performance.now();
        const { body } = await getState(url, token, jobId);
        pollLatencies.push(performance.now() - asked);
        if (body.state === 'COMPLETE') return performance.now() - started;
        if (body.state !== 'IN_PROGRESS') throw new Error(`job ${jobId} ended ${body.state}`);
        if (performance.now() - started > 30 * 60_000) throw new Error(`job ${jobId} still IN_PROGRESS after 30 minutes`);
      }
    }),
  );
  const lastMs = Math.max(...completions);
  const sorted = [...completions].sort((a, b) => a - b);
  const polls = [...pollLatencies].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  return {
    jobs: tokens.length,
    secondsUntilLastComplete: round(lastMs / 1000),
    jobsPerMinute: round((tokens.length / lastMs) * 60_000),
    completeMs: { p50: round(median), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), min: round(sorted[0]!), max: round(lastMs) },
    // Jobs are initiated together, so the last one waits for the others: max / median is ~2 for a fair FIFO
    // queue (everyone drains at the same rate), far more when a job starves.
    maxOverMedianComplete: round(lastMs / median, 3),
    pollLatencyMs: { count: polls.length, p50: round(percentile(polls, 50)), p99: round(percentile(polls, 99)), max: round(polls.at(-1) ?? 0) },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
