import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { createJobService, createOperatorJobs, JobError, type Caller, type JobDispatcher, type JobErrorCode, type JobService } from '../../src/jobs/index.js';
import { jobsSql, migrateToLatest, openDatabase, type AccessMode, type Db, type JobRow } from '../../src/store/index.js';

/**
 * The jobs domain on its own: createJobService over a real, migrated SQLite database in a temporary folder,
 * the real token service (grants, and the revocation a reset performs), and a dispatcher that only records
 * what it was given. The queue is the boundary below the domain; its own contract tests (test/contract/)
 * cover delivery. No HTTP, no workers: jobs leave IN_PROGRESS only when a test says how (fail, complete).
 */
export interface JobDomain {
  jobs: JobService;
  operator: ReturnType<typeof createOperatorJobs>;
  db: Db;
  /** Job ids handed to the queue, in order. */
  dispatched: string[];
  /** Job ids the service told this process to stop (onCancelled). */
  stoppedLocally: string[];
  now(): number;
  advance(ms: number): void;
  /** A user's consent for a client: a grant and a token, and the caller the API would make of the token. */
  consent(spec: ConsentSpec): Promise<{ caller: Caller; token: string }>;
  /** Resolves a token as the API does (rejects once the grant is revoked). */
  authenticate(token: string): Promise<Caller>;
  /** Ends a running job FAILED, as a worker does when the source fails for good. */
  fail(jobId: string): Promise<void>;
  /** Claims a running job and publishes a one-part archive, as a worker does. */
  complete(jobId: string): Promise<void>;
  row(jobId: string): Promise<JobRow>;
  close(): Promise<void>;
}

export interface ConsentSpec {
  user: string;
  client?: string;
  resources: string[];
  access?: AccessMode;
}

/** A fixed start, so messages that name a time are exact. */
const START = Date.parse('2026-06-01T12:00:00.000Z');

export async function createJobDomain(options: { maxJobsPerUser?: number } = {}): Promise<JobDomain> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-domain-'));
  // `normal`: no fsync per commit. What these tests check does not depend on surviving a power loss.
  const database = openDatabase({ dataDir, synchronous: 'normal' });
  const { db } = database;
  await migrateToLatest(db);
  let at = START;
  const now = () => at;
  const catalog = googleCatalog();
  const tokens = createTokenService({ db, catalog, now, tokenLifetimeMs: 365 * 24 * 3_600_000 });
  const dispatched: string[] = [];
  const stoppedLocally: string[] = [];
  const dispatcher: JobDispatcher = {
    dispatch(jobId) {
      dispatched.push(jobId);
      return Promise.resolve();
    },
  };
  let jobCount = 0;
  const jobs = createJobService({
    db,
    catalog,
    now,
    dispatcher,
    downloadUrl: (blobKey, { expiresInSeconds }) => `https://dataport.test/downloads/${blobKey}?ttl=${expiresInSeconds}`,
    newJobId: () => `job-${String(++jobCount).padStart(3, '0')}`,
    urlLifetimeSeconds: 900,
    ...(options.maxJobsPerUser !== undefined ? { maxJobsPerUser: options.maxJobsPerUser } : {}),
    revokeAuthorization: tokens.revokeAuthorization,
    onCancelled: (jobId) => stoppedLocally.push(jobId),
  });

  async function row(jobId: string): Promise<JobRow> {
    const found = await jobsSql.findJob(db, jobId);
    if (!found) throw new Error(`no job ${jobId}`);
    return found;
  }

  return {
    jobs,
    operator: createOperatorJobs({ db, jobs }),
    db,
    dispatched,
    stoppedLocally,
    now,
    advance(ms) {
      at += ms;
    },
    async consent(spec) {
      const { accessToken } = await tokens.grantAndIssueToken({
        userId: spec.user,
        clientId: spec.client ?? 'app',
        resources: spec.resources,
        access: spec.access ?? 'once',
      });
      return { caller: (await tokens.authenticate(accessToken)).caller, token: accessToken };
    },
    async authenticate(token) {
      return (await tokens.authenticate(token)).caller;
    },
    async fail(jobId) {
      if (!(await jobsSql.failJob(db, jobId, null, 'the source failed', at))) throw new Error(`job ${jobId} is not running`);
    },
    async complete(jobId) {
      const claimed = await jobsSql.claimJob(db, jobId, 'test-worker', at, 60_000);
      if (!claimed) throw new Error(`job ${jobId} is not running`);
      const parts = [{ part_index: 0, blob_key: `archives/${jobId}/${claimed.attempt}/part-000.zip`, size_bytes: 22, sha256: '0'.repeat(64) }];
      if (!(await jobsSql.completeJob(db, jobId, claimed.attempt, parts, at, at + 14 * 24 * 3_600_000))) throw new Error(`job ${jobId} was not published`);
    },
    row,
    async close() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The JobError a domain call was refused with. */
async function refusal(call: Promise<unknown> | (() => unknown)): Promise<JobError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (e) {
    if (e instanceof JobError) return e;
    throw e;
  }
  throw new Error('expected the call to be refused');
}

/** Asserts the refusal's code; returns the error for its message and metadata. */
export async function refusedWith(code: JobErrorCode, call: Promise<unknown> | (() => unknown)): Promise<JobError> {
  const e = await refusal(call);
  expect(e.code, e.message).toBe(code);
  return e;
}
