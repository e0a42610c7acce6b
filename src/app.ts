import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { googleCatalog, loadCatalogFile, type Catalog, type CatalogDefinition } from './catalog/index.js';
import {
  createAccountOverview,
  createAccountService,
  createClientService,
  createOauthServer,
  createOperatorService,
  createTokenService,
  createUpstreamSignIn,
  oauthRoutes,
  type TokenService,
} from './auth/index.js';
import { createSigner, errorPage, loadLocales, logoutDonePage, logoutPage, PAGE_HEADERS, webRoutes } from './web/index.js';
import { createJobService, createOperatorJobs, MAX_RETRIES_PER_JOB, type JobService } from './jobs/index.js';
import { createEmbeddedQueue, createPgBossQueue, withDispatchSpans, type JobQueue } from './queue/index.js';
import { startTracing, type Tracing } from './tracing/index.js';
import {
  collectExpiredArchives,
  createExportRunner,
  createShardPool,
  deleteUnpublishedOutputs,
  redispatchOrphanedJobs,
  takeOverLapsedJobs,
} from './export/index.js';
import { createSourcesFromCatalog, type Source } from './sources/index.js';
import { createPrometheusMetrics, NO_METRICS, serveMetrics, type Metrics } from './metrics/index.js';
import { createDemoSource, parseDemoFaults } from './sources/demo/index.js';
import { closeApiServer, createApiServer, ReadinessDetail } from './api/index.js';
import { createSecretBox, createWebhookDelivery } from './webhooks/index.js';
import { createEmulatorClock, createRuntimeFaults, readClockOffsetMs, recordDemoSourceStatus } from './emulator/index.js';
import {
  createDownloadUrls,
  createFsBlobStore,
  createS3BlobStore,
  createSqlFaultLedger,
  createUrlSigner,
  loadOrCreateSigningKey,
  migrateToLatest,
  openDatabase,
  SigningKeyError,
  accountSessions,
  jobsSql,
  oidcPayloads,
  operatorsSql,
  pendingMigrations,
  pingDatabase,
  pruneHistoryPastRetention,
  signInThrottle,
  type BlobStore,
  type Db,
  type OpenDatabase,
  type RetentionPeriods,
  type UrlSigner,
} from './store/index.js';

export interface DataportOptions {
  /** Serve the HTTP API. */
  api: boolean;
  /** Run export workers in this process. */
  worker: boolean;
  /** Injected clock (tests, the emulator's clock offset); defaults to the system clock. */
  now?: () => number;
  logger?: Logger;
  /**
   * Start the export threads (DATAPORT_EXPORT_THREADS) with the server instead of with the first long file.
   * The long-running `dataport start|worker` do; an in-process app (tests) keeps them lazy.
   */
  prestartExportThreads?: boolean;
}

export interface Dataport {
  readonly config: Config;
  readonly db: Db;
  readonly catalog: Catalog;
  readonly tokens: TokenService;
  readonly jobs: JobService;
  readonly blobs: BlobStore;
  readonly server: FastifyInstance | undefined;
  /** Where `/metrics` is served when DATAPORT_METRICS_PORT gives it a port of its own (after start()). */
  readonly metricsUrl: () => string | undefined;
  /** The clock every part uses: the injected one, else the emulator's (system time plus `dataport clock` offset). */
  readonly now: () => number;
  /** Listens (API) and starts workers; resolves with the URL the API is reachable at. */
  start(): Promise<{ url: string | undefined }>;
  /**
   * Stops taking work and closes everything within about `deadlineMs`: idle connections at once, requests in
   * flight and running exports until the deadline; then connections left are destroyed and exports handed back.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** How often archives past retention are deleted and undelivered jobs redispatched. */
const MAINTENANCE_INTERVAL_MS = 60_000;
/**
 * The takeover sweep runs every this fraction of the lease: a killed worker's lease lapses between two thirds
 * of a lease and one lease after the kill (it was renewed every third), and the sweep sees it at most a
 * quarter later, so the job is dispatched again within about 1.25 leases (docs/scale.md has the measurements).
 */
const TAKEOVER_SWEEPS_PER_LEASE = 4;

/** The composition root: builds every part from configuration. The embedded/scaled choice is made here only. */
export async function createDataport(config: Config, options: DataportOptions): Promise<Dataport> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Read before anything opens: a catalog with a mistake stops start-up with its line, and leaves nothing behind.
  const catalogFile = config.catalog ? loadCatalogFile(config.catalog.file, config.catalog.env) : undefined;
  const database: OpenDatabase = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    synchronous: config.sqliteSynchronous,
    // A server process writes all day; an operator command's few writes keep SQLite's own checkpoints.
    ...(options.api || options.worker
      ? {
          checkpoints: {
            onError: (message: string) => logger.warn({ err: message }, "WAL checkpoint failed (SQLite checkpoints in the API's commits meanwhile)"),
          },
        }
      : {}),
  });
  // A start that fails part-way (schema behind, bad faults, unserved group, ...) closes the database it opened.
  let tracing: Tracing | undefined;
  try {
    // Spans only from server processes: an operator command's few calls are not worth a trace.
    if (options.api || options.worker) tracing = await startTracing(config.tracing, logger);
    return await assemble(config, options, logger, catalogFile, database, tracing);
  } catch (error) {
    await database.close();
    await tracing?.shutdown();
    throw error;
  }
}

/** Builds every part on an open database; the caller closes the database if this throws. */
async function assemble(
  config: Config,
  options: DataportOptions,
  logger: Logger,
  catalogFile: CatalogDefinition | undefined,
  database: OpenDatabase,
  tracing: Tracing | undefined,
): Promise<Dataport> {
  const { db } = database;
  await bringSchemaUpToDate(database);

  // Without an injected clock, time is the emulator's: the system clock plus the offset `dataport clock`
  // keeps in the database, honoured only when the demo source is on (started below).
  const emulatorClock = createEmulatorClock({ readOffsetMs: () => readClockOffsetMs(db), onError: (err) => logger.error({ err }, 'emulator clock') });
  const now = options.now ?? emulatorClock.now;

  const catalog = catalogFile?.catalog ?? googleCatalog();
  let listeningUrl: string | undefined;
  const publicUrl = () => config.publicUrl ?? listeningUrl ?? `http://localhost:${config.port}`;
  const signingKey = readSigningKey(config.dataDir);
  const signer = createUrlSigner(signingKey);
  // Download links lead to this server whatever the store: the route checks consent before serving a byte.
  const downloadUrls = createDownloadUrls({ publicBaseUrl: publicUrl, signer, now });
  const blobs: BlobStore =
    config.storage.kind === 's3'
      ? createS3BlobStore({ ...config.storage, now })
      : createFsBlobStore({ root: config.storage.root, publicBaseUrl: publicUrl, signer, now });
  if (!config.publicUrl && options.api && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    logger.warn("DATAPORT_PUBLIC_URL is not set: download links and the discovery document point at this server's local address");
  }

  const { sources, closeSources } = await openSources(config, catalog, catalogFile, db, now);
  const demoSourceOn = catalog.groups.some((g) => g.source === 'demo');
  if (demoSourceOn && !options.now) await emulatorClock.start();

  const tokens = createTokenService({ db, catalog, now, tokenLifetimeMs: config.tokenLifetimeMs });
  const onQueueError = (err: unknown) => logger.error({ err }, 'queue error');
  // PostgreSQL means several processes may share the database: pg-boss hands jobs out across them. The
  // embedded queue's single-statement lock is only safe under SQLite's single writer.
  const pgBoss =
    database.dialect === 'postgres' && config.databaseUrl
      ? createPgBossQueue({
          databaseUrl: config.databaseUrl,
          supervise: options.worker,
          onError: onQueueError,
          onMovedFromPgBoss10: (deliveries) => logger.warn({ deliveries }, "waiting jobs moved over from pg-boss 10's queue schema (pgboss)"),
        })
      : undefined;
  const queue: JobQueue = pgBoss ?? createEmbeddedQueue({ db, now, lockMs: config.jobLeaseMs, onError: onQueueError });
  // Only a process that exports needs the threads; they start with the first long file, or at start().
  const shardPool = options.worker && config.exportThreads > 0 ? createShardPool(config.exportThreads) : undefined;
  // Each server process counts its own (docs/operations.md); operator commands count nothing.
  const prometheus =
    options.api || options.worker
      ? createPrometheusMetrics({ countJobsByState: () => jobsSql.countJobsByState(db), queueDepth: () => jobsSql.countWaitingJobs(db, now()) })
      : undefined;
  const metrics: Metrics = prometheus ?? NO_METRICS;
  const runner = createExportRunner({
    metrics,
    db,
    blobs,
    catalog,
    sources,
    now,
    workerId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    leaseMs: config.jobLeaseMs,
    attempts: config.jobAttempts,
    retryBackoffMs: config.retryBackoffMs,
    partSizeBytes: config.partSizeBytes,
    compressionLevel: config.deflateLevel,
    ...(shardPool ? { shardPool } : {}),
    archiveRetentionMs: config.archiveRetentionMs,
    retriesPerFailedJob: MAX_RETRIES_PER_JOB,
    log: logger,
  });
  // Signed completion notifications from the outbox, sent by the processes that run workers.
  const webhookDelivery = options.worker
    ? createWebhookDelivery({
        db,
        now,
        box: createSecretBox(signingKey),
        workerId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
        ...config.webhooks,
        logRetentionMs: config.webhookLogRetentionMs,
        log: logger,
      })
    : undefined;
  const jobs = createJobService({
    db,
    catalog,
    now,
    downloadUrl: downloadUrls.sign,
    dispatcher: tracing?.enabled ? withDispatchSpans(queue, pgBoss ? 'pg-boss' : 'embedded') : queue,
    newJobId: () => randomBytes(16).toString('hex'),
    urlLifetimeSeconds: config.urlLifetimeSeconds,
    maxJobsPerUser: config.limits.maxJobsPerUser,
    revokeAuthorization: tokens.revokeAuthorization,
    onCancelled: (jobId) => runner.cancelLocal(jobId),
  });
  const server = options.api
    ? await createHttpServer({
        config,
        database,
        catalog,
        jobs,
        tokens,
        blobs,
        queue,
        signer,
        signingKey,
        now,
        logger,
        publicUrl,
        metrics,
        prometheus,
        tracing,
        demoSourceOn,
      })
    : undefined;
  const sweeps = scheduleSweeps({ db, blobs, queue, now, logger, jobLeaseMs: config.jobLeaseMs, retention: config });

  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  return {
    config,
    db,
    catalog,
    tokens,
    jobs,
    blobs,
    server,
    now,
    metricsUrl: () => metricsServer?.url,
    async start() {
      if (prometheus && config.metricsPort !== undefined) {
        metricsServer = await serveMetrics(() => prometheus.render(), config.metricsPort, config.host);
        logger.info({ url: metricsServer.url }, 'metrics listening');
      }
      // Connect the queue before taking requests, so a wrong database URL fails start-up, not the first initiate.
      await pgBoss?.ready();
      // Tells `dataport faults|clock` whether this server runs the demo source (they refuse otherwise).
      await recordDemoSourceStatus(db, { enabled: demoSourceOn, configuredFaults: config.demoFaults }, now());
      if (server) {
        const address = await server.listen({ port: config.port, host: config.host });
        listeningUrl = address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
        logger.info({ url: publicUrl() }, 'Dataport API listening');
      }
      if (options.worker) {
        if (options.prestartExportThreads) shardPool?.prestart();
        await queue.start((delivery) => runner.handle(delivery), { concurrency: config.workerConcurrency });
        logger.info({ concurrency: config.workerConcurrency }, 'export workers started');
        await sweeps.start();
        webhookDelivery?.start();
      }
      return { url: server ? publicUrl() : undefined };
    },
    async close(deadlineMs = 10_000) {
      const deadline = Date.now() + deadlineMs;
      sweeps.stop();
      await webhookDelivery?.stop();
      emulatorClock.stop();
      // Requests in flight (a download included) have until the deadline, running exports what is left of it.
      if (server) await closeApiServer(server, Math.max(0, deadline - Date.now()));
      await queue.stop(Math.max(0, deadline - Date.now()));
      await metricsServer?.close();
      await shardPool?.close();
      await closeSources();
      await blobs.close?.();
      await database.close();
      // Last: the spans of everything above (the final exports, the last requests) are sent before exit.
      await tracing?.shutdown();
    },
  };
}

/** SQLite is migrated in place; a shared PostgreSQL must have been migrated first (`dataport migrate`). */
async function bringSchemaUpToDate(database: OpenDatabase): Promise<void> {
  if (database.dialect === 'sqlite') {
    await migrateToLatest(database.db);
    return;
  }
  const pending = await pendingMigrations(database.db);
  if (pending.length > 0) {
    throw new Error(`the database schema is behind (pending: ${pending.join(', ')}); run \`dataport migrate\` first`);
  }
}

/** The key that signs download URLs, page cookies and webhook secrets; a key file that cannot be read is a configuration mistake. */
function readSigningKey(dataDir: string): Buffer {
  try {
    return loadOrCreateSigningKey(dataDir);
  } catch (error) {
    if (error instanceof SigningKeyError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Every source the catalog names, each serving at least one group; nothing is left open when one is missing. */
async function openSources(
  config: Config,
  catalog: Catalog,
  catalogFile: CatalogDefinition | undefined,
  db: Db,
  now: () => number,
): Promise<{ sources: ReadonlyMap<string, Source>; closeSources: () => Promise<void> }> {
  let demoFaults;
  try {
    demoFaults = parseDemoFaults(
      config.demoFaults,
      catalog.groups.map((g) => g.name),
    );
  } catch (error) {
    // Its groups are known only with the catalog, so it is checked here rather than in config.ts.
    throw new ConfigError((error as Error).message);
  }
  const sources = await createSourcesFromCatalog(catalogFile, {
    demo: () =>
      createDemoSource({
        recordsPerGroup: config.demoRecords,
        faults: createRuntimeFaults({ db, configured: demoFaults }),
        ledger: createSqlFaultLedger(db, now),
        now: () => new Date(now()),
      }),
  });
  const closeSources = async () => {
    for (const source of sources.values()) await source.close?.();
  };
  const unserved = catalog.groups.find((g) => !sources.has(g.source));
  if (unserved) {
    await closeSources();
    throw new Error(`catalog: resource group ${unserved.name} names source "${unserved.source}", which is not configured`);
  }
  return { sources, closeSources };
}

interface HttpServerParts {
  config: Config;
  database: OpenDatabase;
  catalog: Catalog;
  jobs: JobService;
  tokens: TokenService;
  blobs: BlobStore;
  queue: JobQueue;
  signer: UrlSigner;
  signingKey: Buffer;
  now: () => number;
  logger: Logger;
  publicUrl: () => string;
  metrics: Metrics;
  prometheus: ReturnType<typeof createPrometheusMetrics> | undefined;
  tracing: Tracing | undefined;
  demoSourceOn: boolean;
}

/** The HTTP server: the Data Portability API, then the OAuth 2.0 authorization server and the pages (the one place they are registered). */
async function createHttpServer(parts: HttpServerParts): Promise<FastifyInstance> {
  const { config, database, catalog, jobs, tokens, blobs, queue, signer, signingKey, now, logger, publicUrl, metrics, prometheus, tracing, demoSourceOn } =
    parts;
  const { db } = database;
  const server = await createApiServer({
    db,
    catalog,
    jobs,
    tokens,
    blobs,
    signer,
    now,
    logger,
    // The API's poll cache, dropped exactly on change (store/change-watch.ts): only on SQLite (PostgreSQL gives no watch).
    changes: database.changes,
    publicUrl,
    trustProxy: config.trustProxy,
    limits: config.limits,
    metrics,
    traceRequests: tracing?.enabled ?? false,
    ...(prometheus && config.metricsPort === undefined ? { metricsRoute: () => prometheus.render() } : {}),
    readiness: {
      database: () => pingDatabase(db),
      // Any answer will do, "no such object" included: it proves the store can be reached.
      blobs: () => blobs.stat('readyz/probe'),
      queue: () => queue.ping(),
      // A database migrated back (or restored from an older backup) under a running server.
      migrations: async () => {
        const pending = await pendingMigrations(db);
        if (pending.length > 0) throw new ReadinessDetail(`behind: ${pending.join(', ')} not applied; run \`dataport migrate\``);
      },
    },
  });
  // The OAuth 2.0 authorization server and its pages (sign-in, consent, the user's account page).
  const secret = createHmac('sha256', signingKey).update('dataport web').digest();
  const accounts = createAccountService({ db, now });
  const clients = createClientService({ db, now });
  const locales = loadLocales();
  const oauth = createOauthServer({
    db,
    catalog,
    accounts,
    tokens,
    now,
    tokenLifetimeMs: config.tokenLifetimeMs,
    secret,
    logger,
    renderErrorPage: ({ message, hl, acceptLanguage }) => errorPage(locales.pick(hl, acceptLanguage), message),
    renderLogoutPage: ({ form, signedIn, acceptLanguage }) => logoutPage(locales.pick(undefined, acceptLanguage), { form, signedIn }),
    renderLogoutDonePage: ({ signedOut, acceptLanguage }) => logoutDonePage(locales.pick(undefined, acceptLanguage), signedOut),
    pageHeaders: PAGE_HEADERS,
    trustProxy: config.trustProxy,
  });
  await server.register(oauthRoutes, { oauth, issuer: publicUrl });
  const pageSigner = createSigner(secret, now);
  const upstream = config.upstreamOidc ? createUpstreamSignIn(config.upstreamOidc) : undefined;
  await server.register(webRoutes, {
    oauth,
    accounts,
    clients,
    tokens,
    catalog,
    logger,
    metrics,
    overview: createAccountOverview({ db, catalog, clients, now }),
    locales,
    signer: pageSigner,
    upstream,
    issuer: publicUrl,
    admin: {
      db,
      catalog,
      locales,
      clients,
      tokens,
      now,
      issuer: publicUrl,
      operators: createOperatorService({ db, now }),
      jobs: createOperatorJobs({ db, jobs }),
      signer: pageSigner,
      emulator: demoSourceOn,
      upstream: upstream && config.adminOidcClaim ? { signIn: upstream, claim: config.adminOidcClaim } : undefined,
      secure: () => publicUrl().startsWith('https:'),
    },
  });
  return server;
}

interface SweepParts {
  db: Db;
  blobs: BlobStore;
  queue: JobQueue;
  now: () => number;
  logger: Logger;
  jobLeaseMs: number;
  retention: RetentionPeriods;
}

/**
 * A worker process's periodic sweeps: taking over jobs whose lease lapsed (often), and maintenance (deleting
 * what is past retention, redispatching undelivered jobs). Each catches and logs its own failures.
 */
function scheduleSweeps(parts: SweepParts): { start(): Promise<void>; stop(): void } {
  const { db, blobs, queue, now, logger, jobLeaseMs } = parts;
  let maintenance: NodeJS.Timeout | undefined;
  let takeovers: NodeJS.Timeout | undefined;
  let takingOver = false;
  let reportedLapsed = new Set<string>();
  async function takeOver() {
    // A sweep slower than the interval (a slow database) is not started twice.
    if (takingOver) return;
    takingOver = true;
    try {
      // A lapsed job stays lapsed until a worker is free to claim it; each sweep moves it ahead again (a no-op),
      // but the log tells of it once.
      const lapsed = await takeOverLapsedJobs({ db, queue, now });
      const fresh = lapsed.filter((id) => !reportedLapsed.has(id));
      if (fresh.length > 0) logger.warn({ jobIds: fresh }, 'jobs whose lease lapsed dispatched again, ahead of new work');
      reportedLapsed = new Set(lapsed);
    } catch (err) {
      logger.error({ err }, 'takeover sweep failed');
    } finally {
      takingOver = false;
    }
  }
  async function maintain() {
    try {
      const collected = await collectExpiredArchives({ db, blobs, now });
      if (collected > 0) logger.info({ collected }, 'expired archives deleted');
      // A cancelled or failed job whose run died (kill -9, a lost machine) has no run left to delete its partial output.
      await deleteUnpublishedOutputs({ db, blobs, now }, jobLeaseMs);
      const redispatched = await redispatchOrphanedJobs({ db, queue, now }, jobLeaseMs);
      if (redispatched > 0) logger.warn({ redispatched }, 'undelivered jobs dispatched again');
      // Codes, sessions, interactions and tokens oidc-provider stored; reads already skip expired rows.
      const expiredOauth = await oidcPayloads.deleteExpiredPayloads(db, now());
      if (expiredOauth > 0) logger.debug({ expiredOauth }, 'expired OAuth records deleted');
      // Sign-in throttle buckets past their window and wait, and account sessions past their end.
      const expiredSignIn =
        (await signInThrottle.deleteExpiredBuckets(db, now())) +
        (await accountSessions.deleteExpiredSessions(db, now())) +
        (await operatorsSql.deleteExpiredOperatorSessions(db, now()));
      if (expiredSignIn > 0) logger.debug({ expiredSignIn }, 'expired sign-in records deleted');
      // Audit entries and the webhook log past their retention.
      const pruned = await pruneHistoryPastRetention(db, now(), parts.retention);
      if (pruned.auditEntries + pruned.webhookEvents + pruned.webhookDeliveries > 0) logger.info({ pruned }, 'history past retention deleted');
    } catch (err) {
      logger.error({ err }, 'maintenance failed');
    }
  }
  return {
    async start() {
      await takeOver();
      await maintain();
      maintenance = setInterval(() => void maintain(), Math.min(MAINTENANCE_INTERVAL_MS, jobLeaseMs * 2));
      maintenance.unref();
      takeovers = setInterval(() => void takeOver(), Math.max(250, Math.floor(jobLeaseMs / TAKEOVER_SWEEPS_PER_LEASE)));
      takeovers.unref();
    },
    stop() {
      clearInterval(maintenance);
      clearInterval(takeovers);
    },
  };
}
