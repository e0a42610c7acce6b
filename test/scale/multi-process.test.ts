import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { dataportability_v1 } from 'googleapis/build/src/apis/dataportability/index.js';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { createS3BlobStore, jobsSql, openDatabase, type BlobStore, type OpenDatabase } from '../../src/store/index.js';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../helpers/scaled-stack.js';

const USERS = 50;
const JOBS_PER_USER = 4;
// Each job exports two groups no other job of that user touches (time-based access allows a group once a day).
const GROUP_PAIRS = [
  ['myactivity.search', 'chrome.history'],
  ['play.installs', 'youtube.subscriptions'],
  ['maps.starred_places', 'play.library'],
  ['myactivity.youtube', 'chrome.bookmarks'],
] as const;

/**
 * The scaled deployment as operators run it: 2 `dataport serve` and 3 `dataport worker` processes on one
 * PostgreSQL database and one S3 bucket. One worker is killed with SIGKILL while it holds jobs.
 */
describe.skipIf(scaledStackUnavailable !== undefined)(
  `2 serve + 3 worker processes on PostgreSQL + S3${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`,
  () => {
    const children: ChildProcess[] = [];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-scale-'));
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let bucket: Awaited<ReturnType<typeof createTestBucket>>;
    let store: OpenDatabase;
    let blobs: BlobStore;
    let env: Record<string, string>;

    beforeAll(async () => {
      database = await createTestDatabase();
      bucket = await createTestBucket();
      store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 2 });
      blobs = createS3BlobStore({ ...bucket.location });
      env = {
        DATAPORT_DATABASE_URL: database.url,
        ...bucket.env,
        DATAPORT_DATA_DIR: dataDir,
        DATAPORT_DEMO_RECORDS: '20',
        // A short lease so the killed worker's jobs are taken over within seconds; slow groups so that
        // exports are really under way when the worker dies.
        DATAPORT_JOB_LEASE: '2s',
        DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:200,maps.starred_places=slow:200',
        DATAPORT_WORKER_CONCURRENCY: '2',
        DATAPORT_LOG_LEVEL: 'warn',
      };
    });

    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await blobs?.close?.();
      await store?.close();
      await bucket?.drop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('200 jobs from 50 users, one worker SIGKILLed mid-export: all COMPLETE, each published once, every archive valid', async () => {
      const [servers, workers] = await Promise.all([
        Promise.all([startServerProcess(env, 'serve'), startServerProcess(env, 'serve')]),
        Promise.all([startWorkerProcess(env), startWorkerProcess(env), startWorkerProcess(env)]),
      ]);
      children.push(...servers.map((s) => s.child), ...workers.map((w) => w.child));

      // Tokens straight into the shared database (what `dataport token` does, without 50 process starts).
      const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
      const users = await Promise.all(
        Array.from({ length: USERS }, async (_, u) => {
          const { accessToken } = await tokens.grantAndIssueToken({
            userId: `scale-user-${u}`,
            clientId: 'scale-client',
            resources: GROUP_PAIRS.flat(),
            access: '30d',
          });
          // Half the users talk to each API process.
          return googleClient(servers[u % 2]!.url, accessToken);
        }),
      );

      const jobs: { api: dataportability_v1.Dataportability; id: string }[] = [];
      await Promise.all(
        users.map(async (api) => {
          for (const pair of GROUP_PAIRS.slice(0, JOBS_PER_USER)) {
            const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: [...pair] } });
            jobs.push({ api, id: data.archiveJobId! });
          }
        }),
      );
      expect(new Set(jobs.map((j) => j.id)).size).toBe(USERS * JOBS_PER_USER);

      // Kill worker 0 while it holds at least one job (a live lease on an IN_PROGRESS job).
      const victim = workers[0].child;
      const victimTag = `:${victim.pid}:`;
      let held: string[] = [];
      const killDeadline = Date.now() + 60_000;
      while (held.length === 0 && Date.now() < killDeadline) {
        held = (await store.db.selectFrom('jobs').select(['id', 'lease_owner']).where('state', '=', 'IN_PROGRESS').execute())
          .filter((j) => j.lease_owner?.includes(victimTag))
          .map((j) => j.id);
        if (held.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(held.length, 'the victim worker held a job').toBeGreaterThan(0);
      victim.kill('SIGKILL');
      await new Promise((r) => victim.once('exit', r));
      // What the dead worker really held: a job it published between the look above and the kill is not one
      // (that window is small but real; it made this test flaky), one it claimed in that window is.
      held = (await store.db.selectFrom('jobs').select(['id', 'lease_owner']).where('state', '=', 'IN_PROGRESS').execute())
        .filter((j) => j.lease_owner?.includes(victimTag))
        .map((j) => j.id);
      expect(held.length, 'the victim worker died holding a job').toBeGreaterThan(0);

      // Every job ends COMPLETE; a FAILED one is retried (as a client would) and that retry must complete.
      const completedIds = new Map<string, string>(); // original job id -> the job id holding its archive
      await Promise.all(
        jobs.map(async ({ api, id }) => {
          let state = await waitForState(api, id, undefined, 90_000);
          let finalId = id;
          if (state.state === 'FAILED') {
            const { data } = await api.archiveJobs.retry({ name: `archiveJobs/${id}` });
            finalId = data.archiveJobId!;
            state = await waitForState(api, finalId, undefined, 90_000);
          }
          expect(state.state, `job ${id}`).toBe('COMPLETE');
          completedIds.set(id, finalId);
        }),
      );
      const stillRunning = await store.db.selectFrom('jobs').select('id').where('state', '=', 'IN_PROGRESS').execute();
      expect(stillRunning).toEqual([]);

      // The killed worker's jobs were taken over: a later attempt published them.
      for (const id of held) {
        const row = await jobsSql.findJob(store.db, id);
        expect(row?.state).toBe('COMPLETE');
        expect(row!.attempt).toBeGreaterThan(1);
      }

      // Published once: one set of part rows per job, all under the publishing attempt, and exactly those
      // objects in the bucket (the dead attempt's partial upload was cleaned up, nothing else left behind).
      for (const finalId of completedIds.values()) {
        const row = (await jobsSql.findJob(store.db, finalId))!;
        const parts = await jobsSql.listParts(store.db, finalId);
        expect(parts.length).toBeGreaterThan(0);
        expect(parts.map((p) => p.part_index)).toEqual(parts.map((_, i) => parts[0]!.part_index + i)); // no duplicates, no gaps
        expect(parts.every((p) => p.blob_key.startsWith(`archives/${finalId}/${row.attempt}/`))).toBe(true);
        expect(await blobs.list(`archives/${finalId}/`)).toEqual(parts.map((p) => p.blob_key).sort());
      }

      // Every archive is a valid ZIP (CRC-checked) with its index, fetched by presigned URL through the client.
      await Promise.all(
        jobs.map(async ({ api, id }) => {
          const finalId = completedIds.get(id)!;
          const { data } = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${finalId}/portabilityArchiveState` });
          expect(data.urls!.length).toBeGreaterThan(0);
          for (const url of data.urls!) {
            const res = await download(url);
            expect(res.status).toBe(200);
            const entries = await readZip(res.body);
            expect(entries.some((e) => e.name.endsWith('archive_browser.json'))).toBe(true);
          }
        }),
      );

      // SIGTERM drains the survivors: they exit 0.
      const codes = await Promise.all(
        [...servers.map((s) => s.child), ...workers.slice(1).map((w) => w.child)].map((c) => {
          const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
          c.kill('SIGTERM');
          return exited;
        }),
      );
      expect(codes).toEqual([0, 0, 0, 0]);
    }, 180_000);
  },
);
