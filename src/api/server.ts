import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/index.js';
import type { JobService } from '../jobs/index.js';
import type { TokenService } from '../auth/index.js';
import type { BlobStore, Db, UrlSigner } from '../store/index.js';
import { registerErrorHandlers, sendGoogleError } from './error-handler.js';
import { ApiError } from './api-error.js';
import { v1Routes } from './routes-v1.js';
import { downloadRoutes } from './downloads.js';
import { discoveryRoutes } from './discovery-routes.js';
import { batchRoutes } from './batch.js';
import { registerCompression } from './compression.js';
import { registerReadiness, type ReadinessProbes } from './readiness.js';

export interface ApiServerDeps {
  db: Db;
  catalog: Catalog;
  jobs: JobService;
  tokens: TokenService;
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
}

export async function createApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request access logs would dominate the output under polling load; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    // Job ids and group names are short; a request body larger than this is a mistake or an attack.
    bodyLimit: 1024 * 1024,
    // Off, X-Forwarded-For/-Proto/-Host are ignored: any client could send them. On, they are believed from
    // every peer, so the port must be reachable only through the proxy.
    trustProxy: deps.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any handler (a malformed %-escape, an over-long path segment) get
    // Google's error body too, not Fastify's own.
    frameworkErrors: (error, request, reply) => {
      void sendGoogleError(new ApiError('INVALID_ARGUMENT', error.message), request, reply);
    },
  }) as unknown as FastifyInstance;

  // Google's client sends POSTs without a body and without a content type; an empty JSON body is `{}` too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error(`Invalid JSON payload received. ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });

  registerErrorHandlers(app);
  // Before the routes: its hook applies to the routes registered after it.
  await registerCompression(app);
  await app.register(v1Routes, { jobs: deps.jobs, tokens: deps.tokens });
  await app.register(discoveryRoutes, { catalog: deps.catalog, publicUrl: deps.publicUrl });
  await app.register(batchRoutes, { publicUrl: deps.publicUrl });
  if (deps.signer) await app.register(downloadRoutes, { db: deps.db, jobs: deps.jobs, blobs: deps.blobs, signer: deps.signer, now: deps.now });
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerReadiness(app, deps.readiness);
  return app;
}
