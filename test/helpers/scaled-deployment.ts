import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { jobsSql, openDatabase, type OpenDatabase } from '../../src/store/index.js';
import { createTestBucket, createTestDatabase } from './scaled-stack.js';

/** What a test of `serve` and `worker` processes runs on, all its own, and what it looks into them with. */
export interface TestDeployment {
  /** The database, a bucket and a data folder, for the processes' environment. */
  readonly env: Record<string, string>;
  readonly bucket: Awaited<ReturnType<typeof createTestBucket>>;
  /** A connection to the deployment's database, to read jobs as the processes left them. */
  readonly store: OpenDatabase;
  /** An access token for `userId` covering `resources`, granted once. */
  tokenFor(userId: string, resources: string[]): Promise<string>;
  /** Resolves once `worker` holds the job's lease; throws with the worker's logs after 30 s. */
  claimedBy(jobId: string, worker: { child: ChildProcess; logs(): string }): Promise<void>;
}

/**
 * A fresh PostgreSQL database, bucket and data folder; each is dropped by `cleanups`, which the test runs last
 * first (after killing its processes).
 */
export async function createTestDeployment(cleanups: (() => Promise<void>)[], name: string): Promise<TestDeployment> {
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  const bucket = await createTestBucket();
  cleanups.push(bucket.drop);
  const dataDir = mkdtempSync(path.join(tmpdir(), `dataport-${name}-`));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 1 });
  cleanups.push(() => store.close());
  const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
  return {
    env: { DATAPORT_DATABASE_URL: database.url, ...bucket.env, DATAPORT_DATA_DIR: dataDir },
    bucket,
    store,
    async tokenFor(userId, resources) {
      return (await tokens.grantAndIssueToken({ userId, clientId: 'c', resources, access: 'once' })).accessToken;
    },
    async claimedBy(jobId, worker) {
      const deadline = Date.now() + 30_000;
      while (!(await jobsSql.findJob(store.db, jobId))?.lease_owner?.includes(`:${worker.child.pid}:`)) {
        if (Date.now() > deadline) throw new Error(`the worker never claimed the job:\n${worker.logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
