import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/index.js';
import type { JobService } from '../jobs/index.js';
import type { TokenService } from '../auth/index.js';
import type { BlobStore, ChangeWatch, Db, UrlSigner } from '../store/index.js';
import type { Limits } from '../config.js';
import { createClientRateLimiter } from './rate-limit.js';
import { registerErrorHandlers, sendGoogleError } from './error-handler.js';
import { ApiError } from './api-error.js';
import { readJsonBody } from './content-type.js';
import { decorateV1Requests, v1Routes } from './routes-v1.js';
import { decorateSystemParams } from './system-params.js';
import { createPollCache } from './poll-cache.js';
import { downloadRoutes } from './downloads.js';
import { discoveryRoutes } from './discovery-routes.js';
import { batchRoutes } from './batch.js';
import { registerCompression } from './compression.js';
import { registerReadiness, type ReadinessProbes } from './readiness.js';
import type { Metrics } from '../metrics/types.js';
import { registerHttpSpans } from '../tracing/index.js';
import { requestIdOf } from './request-id.js';

export interface ApiServerDeps {
  db: Db;
  catalog: Catalog;
  jobs: JobService;
  tokens: TokenService;
  /** The embedded database's change watch: callers and polled answers are then kept in memory (poll-cache.ts). */
  changes: ChangeWatch | undefined;
  blobs: BlobStore;
  /** Present when archives are served by this server (the local blob store). */
  signer: UrlSigner | undefined;
  now: () => number;
  logger: Logger;
  /** Base URL clients reach this server at. */
  publicUrl: () => string;
  /** Whether X-Forwarded-* headers come from a proxy we trust (DATAPORT_TRUST_PROXY): request.ip, .protocol, .host. */
  trustProxy: boolean;
  /** What `/readyz` checks (database, blob store, queue). */
  readiness: ReadinessProbes;
  limits: Limits;
  metrics: Metrics;
  /** Serve `/metrics` on this port too (unset when DATAPORT_METRICS_PORT gives it a port of its own). */
  metricsRoute?: () => Promise<{ contentType: string; text: string }>;
  /** Make a span of every request (OpenTelemetry tracing is on). */
  traceRequests?: boolean;
}

/** How often Node looks for connections past the headers or request timeout (its default, 30 s, would let a slow client stay that much longer). */
function connectionsCheckingIntervalMs(limits: Limits): number {
  return Math.max(50, Math.min(30_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

export async function createApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request access logs would dominate the output under polling load; errors are logged where handled.
    // Every line a request logs carries its id as request_id.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    // The caller's X-Request-Id when it is a sane one, else ours.
    genReqId: requestIdOf,
    // Job ids and group names are short; a request body larger than this is a mistake or an attack.
    bodyLimit: deps.limits.bodyLimitBytes,
    // Slow clients: headers, a whole request, an idle kept-alive connection, a connection where nothing moves.
    http: {
      headersTimeout: deps.limits.headersTimeoutMs,
      requestTimeout: deps.limits.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(deps.limits),
    },
    requestTimeout: deps.limits.requestTimeoutMs,
    keepAliveTimeout: deps.limits.keepAliveTimeoutMs,
    connectionTimeout: deps.limits.idleTimeoutMs,
    // Off, X-Forwarded-For/-Proto/-Host are ignored: any client could send them. On, they are believed from
    // every peer, so the port must be reachable only through the proxy.
    trustProxy: deps.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any handler (a malformed %-escape, an over-long path segment) get
    // Google's error body too, not Fastify's own.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-content-type-options', 'nosniff');
      void sendGoogleError(new ApiError('INVALID_ARGUMENT', error.message), request, reply);
    },
  }) as unknown as FastifyInstance;

  // Every answer is JSON or an archive with its own content type: a browser must never guess another (a JSON
  // error echoing a request path, or an archive, rendered as HTML). Callback style: it runs on every poll.
  // The request id goes back to the caller, who can quote it (and find it in the logs).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-request-id', request.id);
    done();
  });
  if (deps.traceRequests) registerHttpSpans(app);

  // Google's client sends POSTs without a body and without a content type; an empty body is `{}` too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, readJsonBody(request.headers['content-type'], text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // Request counts and latency: a counter and a histogram update, no await (this runs after every poll too).
  const { metrics } = deps;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.apiRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  // Per-request state the v1 hooks set, declared up front so every request has one shape (null until set).
  decorateSystemParams(app);
  decorateV1Requests(app);
  registerErrorHandlers(app);
  // Before the routes: its hook applies to the routes registered after it.
  await registerCompression(app);
  const { apiRateLimit, apiRateWindowMs } = deps.limits;
  await app.register(v1Routes, {
    jobs: deps.jobs,
    tokens: deps.tokens,
    polls: createPollCache({ watch: deps.changes, now: deps.now }),
    ...(apiRateLimit > 0 ? { rateLimiter: createClientRateLimiter({ limit: apiRateLimit, windowMs: apiRateWindowMs, now: deps.now }) } : {}),
  });
  await app.register(discoveryRoutes, { catalog: deps.catalog, publicUrl: deps.publicUrl });
  await app.register(batchRoutes, { publicUrl: deps.publicUrl });
  if (deps.signer) await app.register(downloadRoutes, { db: deps.db, jobs: deps.jobs, blobs: deps.blobs, signer: deps.signer, now: deps.now, metrics });
  const { metricsRoute } = deps;
  if (metricsRoute) {
    app.get('/metrics', { compress: false }, async (_request, reply) => {
      const { contentType, text } = await metricsRoute();
      return reply.type(contentType).send(text);
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerReadiness(app, deps.readiness);
  return app;
}

/** How often a closing server looks for connections whose last answer has just finished (they close then). */
const CLOSE_SWEEP_MS = 50;

/**
 * Stops the server within `deadlineMs` whatever its clients do. New connections are refused and idle kept-alive
 * ones closed at once; a request in flight (a download the client reads slowly, or not at all) has until the
 * deadline to finish, its connection closing as soon as it has; then every connection left is destroyed.
 * Fastify's own `close()` alone waits for in-flight answers until the idle timeout (DATAPORT_IDLE_TIMEOUT).
 */
export async function closeApiServer(app: FastifyInstance, deadlineMs: number): Promise<void> {
  const server = app.server;
  const sweep = setInterval(() => server.closeIdleConnections(), CLOSE_SWEEP_MS);
  const cutOff = setTimeout(() => server.closeAllConnections(), Math.max(0, deadlineMs));
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cutOff);
  }
}
