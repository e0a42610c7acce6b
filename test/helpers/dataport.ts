import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// Google's client for this one API: `import ... from 'googleapis'` types all ~300 of Google's APIs, which
// costs every type-aware tool (tsc, eslint) ~1.5 GB and ~50 s; this module is the same client.
import { auth as googleAuth, dataportability, type dataportability_v1 } from 'googleapis/build/src/apis/dataportability/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDataport, type Dataport } from '../../src/app.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { AccessMode } from '../../src/store/index.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable, testStack } from './scaled-stack.js';

export interface TestDataport {
  dataport: Dataport;
  /** `embedded`: SQLite + local folder + embedded queue; `scaled`: PostgreSQL + pg-boss + S3. */
  stack: 'embedded' | 'scaled';
  url: string;
  dataDir: string;
  /** What a `dataport` CLI process needs to reach the same database and storage (for runCli). */
  env: Record<string, string>;
  clock: TestClock;
  /** Grants `resources` to `user` and returns a googleapis client holding the token. */
  client(grant: GrantSpec): Promise<{ api: dataportability_v1.Dataportability; token: string }>;
  close(): Promise<void>;
}

export interface GrantSpec {
  user: string;
  resources: string[];
  access?: AccessMode;
  clientId?: string;
}

/** A clock tests can move forward; starts at the real time. */
export class TestClock {
  offsetMs = 0;
  now = () => Date.now() + this.offsetMs;
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

interface StartOptions {
  stack?: 'embedded' | 'scaled';
  logger?: Logger;
  /** An existing data folder to start on (a restart over the same database); the caller removes it. */
  dataDir?: string;
  /** false: the API alone, so nothing changes the database in the background. */
  worker?: boolean;
}

/**
 * The one way tests start Dataport in-process: a real server (API + workers) on a free port (`PORT` in `env`
 * to choose one) with its own data folder. The stack comes from `DATAPORT_TEST_STACK` (embedded by
 * default); `scaled` gets its own PostgreSQL database and S3 bucket, both removed on close. Child processes
 * (a real `dataport start`) come from startServerProcess (helpers/process.ts).
 */
export async function startDataport(env: Record<string, string> = {}, overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<TestDataport> {
  const stack = options.stack ?? testStack;
  if (stack === 'scaled' && scaledStackUnavailable) throw new Error(`DATAPORT_TEST_STACK=scaled, but ${scaledStackUnavailable}`);
  if (stack === 'scaled' && options.dataDir) throw new Error('a reused data folder is for the embedded stack');
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'dataport-test-'));
  const database = stack === 'scaled' ? await createTestDatabase() : undefined;
  const bucket = stack === 'scaled' ? await createTestBucket() : undefined;
  const stackEnv: Record<string, string> = database && bucket ? { DATAPORT_DATABASE_URL: database.url, ...bucket.env } : {};
  const config = loadConfig(
    { PORT: '0', DATAPORT_DATA_DIR: dataDir, DATAPORT_RETRY_BACKOFF: '50ms', DATAPORT_LOG_LEVEL: 'error', ...stackEnv, ...env },
    overrides,
  );
  const clock = new TestClock();
  const dataport = await createDataport(config, {
    api: true,
    worker: options.worker ?? true,
    now: clock.now,
    logger: options.logger ?? createLogger(config.logLevel),
  });
  const { url } = await dataport.start();
  return {
    dataport,
    stack,
    url: url!,
    dataDir,
    env: { DATAPORT_DATA_DIR: dataDir, ...stackEnv },
    clock,
    async client(grant) {
      const { accessToken } = await dataport.tokens.grantAndIssueToken({
        userId: grant.user,
        clientId: grant.clientId ?? 'test-client',
        resources: grant.resources,
        access: grant.access ?? 'once',
      });
      return { api: googleClient(url!, accessToken), token: accessToken };
    },
    async close() {
      await dataport.close(2000);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      await bucket?.drop();
      await database?.drop();
    },
  };
}

/** Google's own client, pointed at a Dataport root URL. */
export function googleClient(rootUrl: string, accessToken: string): dataportability_v1.Dataportability {
  const auth = new googleAuth.OAuth2();
  auth.setCredentials({ access_token: accessToken });
  return dataportability({ version: 'v1', auth, rootUrl: `${rootUrl}/` });
}

/** Polls until the job leaves IN_PROGRESS (or `until` says so); fails after `timeoutMs`. */
export async function waitForState(
  api: dataportability_v1.Dataportability,
  jobId: string,
  until: (state: string) => boolean = (s) => s !== 'IN_PROGRESS',
  timeoutMs = 30_000,
): Promise<dataportability_v1.Schema$PortabilityArchiveState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobId}/portabilityArchiveState` });
    if (until(data.state ?? '')) return data;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${data.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Google error a googleapis call rejected with: HTTP status and the `error` body. */
export async function googleErrorOf(
  call: Promise<unknown>,
): Promise<{ status: number; error: { code: number; message: string; status: string; details?: any[] } }> {
  try {
    await call;
  } catch (e) {
    const err = e as { response?: { status: number; data: any } };
    if (!err.response) throw e;
    return { status: err.response.status, error: err.response.data.error };
  }
  throw new Error('expected the call to fail');
}
