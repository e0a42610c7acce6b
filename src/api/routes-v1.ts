import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, JobService } from '../jobs/index.js';
import type { TokenService } from '../auth/index.js';
import { ApiError } from './api-error.js';
import { applyFields } from './fields-mask.js';
import { RPC_SERVICE } from './google-errors.js';
import { withoutDefaults } from './proto3-json.js';
import { parseEmptyBody, parseInitiateBody, parseJobNameBody } from './request-body.js';
import { answerText, readSystemParams } from './system-params.js';
import type { ClientRateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    /** The RPC a v1 request calls, e.g. `google.dataportability.v1.DataPortabilityService.CheckAccessType`. */
    rpcMethod?: string;
  }
}

/** Each route's RPC (the gRPC method behind the REST path), as Google names it in ErrorInfo metadata. */
function rpcMethodOf(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  const rpc =
    url === '/v1/portabilityArchive::initiate' ? 'InitiatePortabilityArchive'
    : url === '/v1/archiveJobs/:job/portabilityArchiveState' ? 'GetPortabilityArchiveState'
    : url === '/v1/authorization::reset' ? 'ResetAuthorization'
    : url === '/v1/accessType::check' ? 'CheckAccessType'
    : url === '/v1/archiveJobs/:jobAction'
      ? ({ retry: 'RetryPortabilityArchive', cancel: 'CancelPortabilityArchive' } as Record<string, string>)[
          /:(retry|cancel)$/.exec((request.params as { jobAction: string }).jobAction)?.[1] ?? ''
        ]
      : undefined;
  return rpc && `${RPC_SERVICE}.${rpc}`;
}

export interface V1Deps {
  jobs: JobService;
  tokens: Pick<TokenService, 'authenticate'>;
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
  return request.systemParams.accessToken;
}

/** The text of frozen results (the job service hands one to every poll of a job within a second). */
const serialized = new WeakMap<object, { pretty?: string; compact?: string }>();

/**
 * Sends a method's result in proto3 JSON form (defaults left out), with the caller's `fields` mask,
 * `prettyPrint` and JSONP `callback` applied.
 */
function send(request: FastifyRequest, reply: FastifyReply, result: object) {
  const params = request.systemParams;
  if (!params.fields && Object.isFrozen(result)) {
    let texts = serialized.get(result);
    if (!texts) serialized.set(result, (texts = {}));
    const text = params.prettyPrint
      ? (texts.pretty ??= JSON.stringify(withoutDefaults(result), null, 2))
      : (texts.compact ??= JSON.stringify(withoutDefaults(result)));
    // A string is sent as it is (the content type is already set).
    return reply.send(answerText(params, text));
  }
  const message = withoutDefaults(result);
  return reply.send(answerText(params, params.fields ? applyFields(message, params.fields) : message));
}

/** The six methods of the Data Portability API v1, at Google's paths. */
export async function v1Routes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const { jobs, tokens, rateLimiter } = deps;

  // Callback style, not async: one promise less per request on the polling path (a throw still becomes
  // the error reply, as Fastify's hook runner catches it).
  app.addHook('onRequest', (request, reply, done) => {
    request.rpcMethod = rpcMethodOf(request);
    readSystemParams(request, reply);
    done();
  });
  // Callback style too: a caller remembered in memory (auth/tokens.ts) is set without a promise.
  app.addHook('preHandler', (request, _reply, done) => {
    const found = tokens.authenticate(bearerToken(request), request);
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
    return send(request, reply, await jobs.initiateArchive(request.caller!, body, { ip: request.ip, requestId: request.id }));
  });

  app.get<{ Params: { job: string } }>('/v1/archiveJobs/:job/portabilityArchiveState', async (request, reply) => {
    return send(request, reply, await jobs.getArchiveState(request.caller!, request.params.job, request));
  });

  // `{job}:retry` and `{job}:cancel` share one path segment; the router cannot split on ':' itself.
  app.post<{ Params: { jobAction: string } }>('/v1/archiveJobs/:jobAction', async (request, reply) => {
    const m = /^(.+):(retry|cancel)$/.exec(request.params.jobAction);
    if (!m) throw new ApiError('NOT_FOUND', `The requested URL ${request.url.split('?')[0]} was not found on this server.`);
    parseJobNameBody(request.body);
    const [, jobId, action] = m;
    const result = action === 'retry' ? await jobs.retryJob(request.caller!, jobId!, { ip: request.ip, requestId: request.id }) : await jobs.cancelJob(request.caller!, jobId!, { ip: request.ip });
    return send(request, reply, result);
  });

  app.post('/v1/authorization::reset', async (request, reply) => {
    parseEmptyBody(request.body);
    return send(request, reply, await jobs.resetAuthorization(request.caller!, { ip: request.ip }));
  });

  app.post('/v1/accessType::check', async (request, reply) => {
    parseEmptyBody(request.body);
    return send(request, reply, jobs.checkAccessType(request.caller!));
  });
}
