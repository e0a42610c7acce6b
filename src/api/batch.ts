import type { FastifyInstance, FastifyRequest, InjectOptions } from 'fastify';
import { ApiError } from './api-error.js';
import { BatchFormatError, boundaryOf, parseEmbeddedRequest, parseMultipart, serializeBatchResponse, type EmbeddedResponse } from './batch-multipart.js';
import { googleError } from './google-errors.js';

/** Google's limit: "You're limited to 1000 calls in a single batch request." */
const MAX_BATCH_CALLS = 1000;

/**
 * A batch of 1000 calls of this API's size (an initiate naming every group is under 4 KB with its headers)
 * fits easily; the outer limit only keeps a mistaken or hostile upload from being held in memory.
 */
const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** Inner request headers not carried into the dispatched call: the outer request already settled them. */
const DROPPED_INNER_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'expect',
  'upgrade',
  'mime-version',
  // The batch response as a whole may be compressed; an inner body never is (Google's parts are plain text).
  'accept-encoding',
  // The caller's address is the outer connection's; an inner header must not claim another.
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
  'x-real-ip',
]);

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface BatchDeps {
  /** Base URL clients reach this server at; an absolute URL or a path under it in a part is ours. */
  publicUrl: () => string;
}

/**
 * `POST /batch` (the discovery document's `batchPath`): Google's multipart/mixed batch protocol, as
 * `new_batch_http_request()` in Google's Python client and `BatchRequest` in its Java client send it. Each
 * call is dispatched through this same server (`inject`), so it meets the same validation, authentication,
 * limits and errors as if sent alone; a call without an Authorization header uses the batch request's.
 * Calls run one after another, in the order given (Google promises no order; one at a time keeps a batch
 * from taking more than its share of the server).
 */
export async function batchRoutes(app: FastifyInstance, deps: BatchDeps): Promise<void> {
  // In this plugin only: the batch body is multipart, not JSON. Any type reaches the handler as bytes, so a
  // wrong one gets an error that says what a batch must be, not a JSON parser's complaint.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BATCH_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  app.post('/batch', { bodyLimit: BATCH_BODY_LIMIT_BYTES }, async (request, reply) => {
    const contentType = request.headers['content-type'];
    if (!contentType || !/^multipart\/mixed\s*(;|$)/i.test(contentType)) {
      throw new ApiError('INVALID_ARGUMENT', `Batch requests must be of type multipart/mixed, not ${contentType ?? 'untyped'}.`);
    }
    const boundary = boundaryOf(contentType);
    if (!boundary) throw new ApiError('INVALID_ARGUMENT', 'The multipart/mixed Content-Type of a batch request must name its boundary.');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

    let parts;
    try {
      parts = parseMultipart(body, boundary, MAX_BATCH_CALLS);
    } catch (error) {
      if (error instanceof BatchFormatError) throw new ApiError('INVALID_ARGUMENT', error.message);
      throw error;
    }
    if (parts.length === 0) throw new ApiError('INVALID_ARGUMENT', 'A batch request must contain at least one call.');
    for (const part of parts) {
      const type = part.headers['content-type'];
      if (!type || !/^application\/http\s*(;|$)/i.test(type)) {
        throw new ApiError('INVALID_ARGUMENT', `Each part of a batch request must be of type application/http, not ${type ?? 'untyped'}.`);
      }
    }

    const responses: { contentId: string | undefined; response: EmbeddedResponse }[] = [];
    for (const part of parts) {
      responses.push({ contentId: part.headers['content-id'], response: await dispatch(app, request, part.body, deps.publicUrl) });
    }
    const { boundary: responseBoundary, body: out } = serializeBatchResponse(responses);
    return reply.code(200).type(`multipart/mixed; boundary=${responseBoundary}`).send(out);
  });
}

/** Runs one embedded call through the server and returns its response; a malformed call gets a 400 of its own. */
async function dispatch(app: FastifyInstance, outer: FastifyRequest, content: string, publicUrl: () => string): Promise<EmbeddedResponse> {
  let call;
  try {
    call = parseEmbeddedRequest(content);
  } catch (error) {
    if (error instanceof BatchFormatError) return errorResponse('INVALID_ARGUMENT', error.message);
    throw error;
  }
  if (!METHODS.has(call.method)) return errorResponse('INVALID_ARGUMENT', `Unsupported HTTP method in a batch part: ${call.method}.`);
  const url = localPath(call.target, publicUrl());
  const path = url?.split('?')[0];
  // The API's methods only: not a nested batch, not an archive download (binary, served by its signed URL).
  if (!url || !path!.startsWith('/v1/')) {
    return errorResponse('NOT_FOUND', `The requested URL ${path ?? call.target.split('?')[0]} was not found on this server.`);
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) if (!DROPPED_INNER_HEADERS.has(name)) headers[name] = value;
  if (headers.authorization === undefined && outer.headers.authorization !== undefined) headers.authorization = outer.headers.authorization;
  const options: InjectOptions = {
    method: call.method,
    url,
    headers,
    remoteAddress: outer.ip,
    ...(call.body.length > 0 ? { payload: call.body } : {}),
  };
  const res = await app.inject(options);
  return { statusCode: res.statusCode, headers: res.headers, body: res.rawPayload };
}

/**
 * The path and query a part's request target names on this server: a path as it is, an absolute URL by its
 * path. A public URL with a path (`https://example.org/dataport/`) is stripped from the front, as the proxy
 * in front of the server strips it from requests sent alone.
 */
function localPath(target: string, publicUrl: string): string | undefined {
  let pathAndQuery: string;
  if (target.startsWith('/')) {
    pathAndQuery = target;
  } else {
    try {
      const parsed = new URL(target);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
      pathAndQuery = parsed.pathname + parsed.search;
    } catch {
      return undefined;
    }
  }
  let prefix = '';
  try {
    prefix = new URL(publicUrl).pathname.replace(/\/+$/, '');
  } catch {
    // A public URL that does not parse has no path to strip.
  }
  if (prefix && (pathAndQuery === prefix || pathAndQuery.startsWith(`${prefix}/`) || pathAndQuery.startsWith(`${prefix}?`))) {
    pathAndQuery = pathAndQuery.slice(prefix.length) || '/';
  }
  return pathAndQuery;
}

function errorResponse(status: 'INVALID_ARGUMENT' | 'NOT_FOUND', message: string): EmbeddedResponse {
  const { httpStatus, body } = googleError(status, message);
  return {
    statusCode: httpStatus,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: Buffer.from(JSON.stringify(body, null, 2)),
  };
}
