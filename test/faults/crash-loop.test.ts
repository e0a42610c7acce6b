import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { dataportability_v1 } from 'googleapis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { createS3BlobStore, jobsSql, openDatabase, type BlobStore, type OpenDatabase } from '../../src/store/index.js';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, listUnfinishedUploads, scaledStackUnavailable, testPostgresUrl } from '../helpers/scaled-stack.js';

/**
 * The crash loop: many exports under way, the process running them killed with SIGKILL again and again (and, on
 * the scaled stack, every PostgreSQL connection of the database terminated, which is what a database restart
 * looks like to clients), then a SIGTERM drain under load; afterwards every job must be COMPLETE, published once,
 * every archive a valid ZIP holding the groups asked for, and nothing else left in the blob store.
 *
 * `npm test` runs a short loop; `npm run test:faults` (DATAPORT_FAULTS_FULL=1) the long one.
 */
const FULL = process.env.DATAPORT_FAULTS_FULL === '1';
const USERS = FULL ? 12 : 3;
const KILLS = FULL ? 5 : 1;
const GROUP_PAIRS = [
  ['myactivity.search', 'chrome.history'],
  ['play.installs', 'youtube.subscriptions'],
  ['maps.starred_places', 'play.library'],
  ['myactivity.youtube', 'chrome.bookmarks'],
] as const;
const RECORDS = 20;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const clean of cleanups.reverse()) await clean();
});

/**
 * Retries what fails while the database's connections are being cut (this test's own pool loses them too, and the
 * API answers 503 UNAVAILABLE, which clients retry).
 */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      const transient = status === 503 || /terminat|Connection|ECONNRESET|ECONNREFUSED/i.test((error as Error).message);
      if (!transient || i >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

interface Stack {
  name: 'embedded' | 'scaled';
  env: Record<string, string>;
  store: OpenDatabase;
  /** The API's URL (stays the same across restarts of the process that runs exports). */
  url: () => string;
  /** The process running the exports, to be killed or drained. */
  runner: () => ChildProcess;
  runnerLogs: () => string;
  restartRunner(): Promise<void>;
  /** Everything stored under a job's prefix, including unfinished files and uploads. */
  stored(jobId: string): Promise<string[]>;
}

async function embedded(): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-crashloop-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    DATAPORT_DATA_DIR: dataDir,
    DATAPORT_JOB_LEASE: '2s',
    DATAPORT_DEMO_RECORDS: String(RECORDS),
    DATAPORT_LOG_LEVEL: 'warn',
    DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:300,maps.starred_places=slow:300',
    DATAPORT_MAX_JOBS_PER_USER: '0',
  };
  let server = await startServerProcess(env);
  children.push(server.child);
  const port = new URL(server.url).port;
  const store = openDatabase({ dataDir });
  cleanups.push(() => store.close());
  const root = path.join(dataDir, 'blobs');
  return {
    name: 'embedded',
    env,
    store,
    url: () => server.url,
    runner: () => server.child,
    runnerLogs: () => server.logs(),
    async restartRunner() {
      server = await startServerProcess({ ...env, PORT: port });
      children.push(server.child);
    },
    async stored(jobId) {
      const dir = path.join(root, 'archives', jobId);
      try {
        return (readdirSync(dir, { recursive: true }) as string[])
          .filter((f) => statSync(path.join(dir, f)).isFile())
          .map((f) => `archives/${jobId}/${f.split(path.sep).join('/')}`)
          .sort();
      } catch {
        return [];
      }
    },
  };
}

async function scaled(): Promise<Stack & { terminateConnections(): Promise<number> }> {
  const database = await createTestDatabase();
  const bucket = await createTestBucket();
  cleanups.push(database.drop, bucket.drop);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-crashloop-s-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    DATAPORT_DATABASE_URL: database.url,
    ...bucket.env,
    DATAPORT_DATA_DIR: dataDir,
    DATAPORT_JOB_LEASE: '2s',
    DATAPORT_DEMO_RECORDS: String(RECORDS),
    DATAPORT_LOG_LEVEL: 'warn',
    DATAPORT_WORKER_CONCURRENCY: '4',
    DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:300,maps.starred_places=slow:300',
    DATAPORT_MAX_JOBS_PER_USER: '0',
  };
  // One after the other, to keep this test about crashes; concurrent starts on a fresh database are covered by
  // multi-process.test.ts and test/contract/pg-boss-concurrent-start.test.ts.
  const server = await startServerProcess(env, 'serve');
  let worker = await startWorkerProcess(env);
  children.push(server.child, worker.child);
  const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 2 });
  const blobs: BlobStore = createS3BlobStore({ ...bucket.location });
  cleanups.push(
    () => store.close(),
    async () => blobs.close?.(),
  );
  const admin = openDatabase({ databaseUrl: testPostgresUrl!, dataDir: '.', poolSize: 1 });
  cleanups.push(() => admin.close());
  return {
    name: 'scaled',
    env,
    store,
    url: () => server.url,
    runner: () => worker.child,
    runnerLogs: () => worker.logs(),
    async restartRunner() {
      worker = await startWorkerProcess(env);
      children.push(worker.child);
    },
    async stored(jobId) {
      const uploads = await listUnfinishedUploads(bucket.location, `archives/${jobId}/`);
      return [...(await blobs.list(`archives/${jobId}/`)), ...uploads.map((k) => `${k} (unfinished upload)`)].sort();
    },
    async terminateConnections() {
      const { rows } = await sql<{
        n: number;
      }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${database.name} and pid <> pg_backend_pid()`.execute(
        admin.db,
      );
      return rows[0]!.n;
    },
  };
}

async function crashLoop(stack: Stack & { terminateConnections?: () => Promise<number> }) {
  const tokens = createTokenService({ db: stack.store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
  const jobs: { api: dataportability_v1.Dataportability; id: string; groups: readonly string[] }[] = [];
  for (let u = 0; u < USERS; u++) {
    const { accessToken } = await tokens.grantAndIssueToken({ userId: `loop-${u}`, clientId: 'loop-client', resources: GROUP_PAIRS.flat(), access: '30d' });
    const api = googleClient(stack.url(), accessToken);
    for (const pair of GROUP_PAIRS) {
      const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: [...pair] } });
      jobs.push({ api, id: data.archiveJobId!, groups: pair });
    }
  }
  const running = async () =>
    (await retrying(() => stack.store.db.selectFrom('jobs').select('id').where('state', '=', 'IN_PROGRESS').where('lease_owner', 'is not', null).execute()))
      .length;
  const waitRunning = async () => {
    const deadline = Date.now() + 30_000;
    while ((await running()) === 0 && Date.now() < deadline) await sleep(20);
    return running();
  };

  const drainLogs: string[] = [];
  const figures = {
    stack: stack.name,
    jobs: jobs.length,
    kills: 0,
    connectionsTerminated: 0,
    drains: 0,
    drainExitCodes: [] as (number | null)[],
    lost: 0,
    duplicated: 0,
    leftovers: 0,
  };
  for (let k = 0; k < KILLS; k++) {
    if ((await waitRunning()) === 0) break; // all done already
    stack.runner().kill('SIGKILL');
    await exited(stack.runner());
    figures.kills++;
    await stack.restartRunner();
    if (stack.terminateConnections) figures.connectionsTerminated += await stack.terminateConnections();
  }
  // A drain under load: SIGTERM while exports run; the process exits 0 and another takes over what it handed back.
  if ((await waitRunning()) > 0) {
    const runner = stack.runner();
    runner.kill('SIGTERM');
    const logs = stack.runnerLogs;
    figures.drainExitCodes.push(await exited(runner));
    drainLogs.push(logs().slice(-3000));
    figures.drains++;
    await stack.restartRunner();
  }

  const finalState = new Map<string, string>();
  await Promise.all(jobs.map(async ({ api, id }) => finalState.set(id, (await retrying(() => waitForState(api, id, undefined, 120_000))).state ?? '')));
  figures.lost = [...finalState.values()].filter((s) => s !== 'COMPLETE').length;

  // Published once: part rows without duplicates, all of the publishing attempt. Left over: anything else stored
  // under the job (another attempt's file, a .partial, an unfinished upload); removal by the maintenance pass
  // may trail the publish by a lease, so it is given a deadline.
  const leftoverOf = async (id: string) => {
    const row = (await retrying(() => jobsSql.findJob(stack.store.db, id)))!;
    const parts = await retrying(() => jobsSql.listParts(stack.store.db, id));
    const indexes = parts.map((p) => p.part_index);
    const duplicated = new Set(indexes).size !== indexes.length || parts.some((p) => !p.blob_key.startsWith(`archives/${id}/${row.attempt}/`));
    const expected = new Set(parts.map((p) => p.blob_key));
    return { duplicated, leftovers: (await stack.stored(id)).filter((k) => !expected.has(k)) };
  };
  const deadline = Date.now() + 30_000;
  let checked = await Promise.all(jobs.map(({ id }) => leftoverOf(id)));
  while (checked.some((c) => c.leftovers.length > 0) && Date.now() < deadline) {
    await sleep(500);
    checked = await Promise.all(jobs.map(({ id }) => leftoverOf(id)));
  }
  figures.duplicated = checked.filter((c) => c.duplicated).length;
  figures.leftovers = checked.reduce((n, c) => n + c.leftovers.length, 0);

  // Every archive a valid ZIP (CRCs checked) whose index lists the job's groups with all their records.
  let invalid = 0;
  for (const { api, id, groups } of jobs) {
    if (finalState.get(id) !== 'COMPLETE') continue;
    const { data } = await retrying(() => api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${id}/portabilityArchiveState` }));
    const entries = (await Promise.all((data.urls ?? []).map(async (url) => readZip((await download(url)).body)))).flat();
    const index = entries.find((e) => e.name.endsWith('archive_browser.json'));
    const services = index ? (JSON.parse(index.content.toString()).services as { resourceGroup: string; records: number }[]) : [];
    if (!groups.every((g) => services.find((s) => s.resourceGroup === g)?.records === RECORDS)) invalid++;
  }
  console.log(`[faults] ${JSON.stringify({ ...figures, invalidArchives: invalid })}`);
  expect(figures.kills).toBeGreaterThan(0);
  expect({ lost: figures.lost, duplicated: figures.duplicated, leftovers: figures.leftovers, invalid }).toEqual({
    lost: 0,
    duplicated: 0,
    leftovers: 0,
    invalid: 0,
  });
  expect(
    figures.drainExitCodes.every((c) => c === 0),
    `a drain exited non-zero:\n${drainLogs.join('\n---\n')}`,
  ).toBe(true);
  const last = stack.runner();
  last.kill('SIGTERM');
  expect(await exited(last)).toBe(0);
}

describe('the crash loop: kill -9 again and again, then a drain, under load', () => {
  it(
    `embedded (dataport start): ${USERS * GROUP_PAIRS.length} exports, ${KILLS} kill(s): all COMPLETE, each published once, every archive valid, nothing left over`,
    async () => {
      await crashLoop(await embedded());
    },
    FULL ? 600_000 : 120_000,
  );

  it.skipIf(scaledStackUnavailable !== undefined)(
    `scaled (serve + worker, PostgreSQL + S3): the same, with every database connection terminated after each kill${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`,
    async () => {
      await crashLoop(await scaled());
    },
    FULL ? 600_000 : 120_000,
  );
});
