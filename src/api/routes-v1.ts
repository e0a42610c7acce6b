import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, JobService } from '../jobs/index.js';
import type { TokenService } from '../auth/index.js';
import { ApiError } from './api-error.js';
import { applyFields } from './fields-mask.js';
import { RPC_SERVICE } from './google-errors.js';
import type { PollCache } from './poll-cache.js';
import { withoutDefaults } from './proto3-json.js';
import { parseEmptyBody, parseInitiateBody, parseJobNameBody } from './request-body.js';
import { answerText, readSystemParams, systemParamsOf } from './system-params.js';
import type { ClientRateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token stands for: set by the v1 routes' preHandler, null before it and on other routes. */
    caller: Caller | null;
    /** The RPC a v1 request calls, e.g. `google.dataportability.v1.DataPortabilityService.CheckAccessType`. */
    rpcMethod: string | null;
  }
}

/** Declares the per-request state the v1 routes' hooks set, on every request (the error handler reads it). */
export function decorateV1Requests(app: FastifyInstance): void {
  app.decorateRequest('caller', null);
  app.decorateRequest('rpcMethod', null);
}

/** The caller the preHandler authenticated: every v1 handler runs after it. */
function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error(`${request.url}: a v1 handler ran before authentication`);
  return request.caller;
}

/** Each route's RPC (the gRPC method behind the REST path), as Google names it in ErrorInfo metadata. */
function rpcMethodOf(request: FastifyRequest): string | null {
  const url = request.routeOptions.url;
  const rpc =
    url === '/v1/portabilityArchive::initiate'
      ? 'InitiatePortabilityArchive'
      : url === '/v1/archiveJobs/:job/portabilityArchiveState'
        ? 'GetPortabilityArchiveState'
        : url === '/v1/authorization::reset'
          ? 'ResetAuthorization'
          : url === '/v1/accessType::check'
            ? 'CheckAccessType'
            : url === '/v1/archiveJobs/:jobAction'
              ? ({ retry: 'RetryPortabilityArchive', cancel: 'CancelPortabilityArchive' } as Record<string, string>)[
                  /:(retry|cancel)$/.exec((request.params as { jobAction: string }).jobAction)?.[1] ?? ''
                ]
              : undefined;
  return rpc ? `${RPC_SERVICE}.${rpc}` : null;
}

export interface V1Deps {
  jobs: JobService;
  tokens: Pick<TokenService, 'authenticate'>;
  /** Callers and polled jobs' answers in memory, where the database can say when they change. */
  polls: PollCache;
  /** Per-client request rates; absent when unlimited. */
  rateLimiter?: ClientRateLimiter;
}

/** Reads the bearer token from the Authorization header, or from `access_token`/`oauth_token`. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  return systemParamsOf(request).accessToken;
}

/**
 * Sends a method's result in proto3 JSON form (defaults left out), with the caller's `fields` mask,
 * `prettyPrint` and JSONP `callback` applied.
 */
function send(request: FastifyRequest, reply: FastifyReply, result: object) {
  const params = systemParamsOf(request);
  const message = withoutDefaults(result);
  return reply.send(answerText(params, params.fields ? applyFields(message, params.fields) : message));
}

/** The six methods of the Data Portability API v1, at Google's paths. */
export async function v1Routes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const { jobs, tokens, polls, rateLimiter } = deps;

  // Callback style, not async: one promise less per request on the polling path (a throw still becomes
  // the error reply, as Fastify's hook runner catches it).
  app.addHook('onRequest', (request, reply, done) => {
    request.rpcMethod = rpcMethodOf(request);
    readSystemParams(request, reply);
    done();
  });
  // Callback style too: a caller remembered in memory (poll-cache.ts) is set without a promise.
  app.addHook('preHandler', (request, _reply, done) => {
    const found = polls.caller(bearerToken(request), request, tokens.authenticate);
    if (!(found instanceof Promise)) {
      request.caller = found;
      done(rateLimiter?.take(found.clientId));
      return;
    }
    found.then((caller) => {
      request.caller = caller;
      done(rateLimiter?.take(caller.clientId));
    }, done);
  });

  app.post('/v1/portabilityArchive::initiate', async (request, reply) => {
    const body = parseInitiateBody(request.body);
    return send(request, reply, await jobs.initiateArchive(callerOf(request), body, { ip: request.ip, requestId: request.id }));
  });

  app.get<{ Params: { job: string } }>('/v1/archiveJobs/:job/portabilityArchiveState', async (request, reply) => {
    const caller = callerOf(request);
    const jobId = request.params.job;
    const params = systemParamsOf(request);
    if (params.fields) return send(request, reply, (await jobs.getArchiveState(caller, jobId)).state);
    // The polled method: its answer's text is kept while it holds (poll-cache.ts), sent without a promise.
    const pretty = params.prettyPrint;
    const text = polls.answer(caller, jobId, pretty, request, async () => {
      const { state, holdsUntil } = await jobs.getArchiveState(caller, jobId);
      return { text: JSON.stringify(withoutDefaults(state), null, pretty ? 2 : undefined), holdsUntil };
    });
    // A string is sent as it is (the content type is already set).
    return reply.send(answerText(params, typeof text === 'string' ? text : await text));
  });

  // `{job}:retry` and `{job}:cancel` share one path segment; the router cannot split on ':' itself.
  app.post<{ Params: { jobAction: string } }>('/v1/archiveJobs/:jobAction', async (request, reply) => {
    const m = /^(.+):(retry|cancel)$/.exec(request.params.jobAction);
    if (!m) throw new ApiError('NOT_FOUND', `The requested URL ${request.url.split('?')[0]} was not found on this server.`);
    parseJobNameBody(request.body);
    const [, jobId, action] = m;
    const result =
      action === 'retry'
        ? await jobs.retryJob(callerOf(request), jobId!, { ip: request.ip, requestId: request.id })
        : await jobs.cancelJob(callerOf(request), jobId!, { ip: request.ip });
    return send(request, reply, result);
  });

  app.post('/v1/authorization::reset', async (request, reply) => {
    parseEmptyBody(request.body);
    return send(request, reply, await jobs.resetAuthorization(callerOf(request), { ip: request.ip }));
  });

  app.post('/v1/accessType::check', async (request, reply) => {
    parseEmptyBody(request.body);
    return send(request, reply, jobs.checkAccessType(callerOf(request)));
  });
}
