import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FieldsSyntaxError, parseFields, type FieldTree } from './fields-mask.js';
import { ApiError, type FieldViolation } from './api-error.js';
import { STANDARD_PARAMETERS } from './discovery.js';

/** Google's standard query parameters, accepted on every method. */
export interface SystemParams {
  accessToken?: string | undefined;
  fields?: FieldTree | undefined;
  prettyPrint: boolean;
  /** JSONP: the answer is `callback(<json>);`. */
  callback?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Read by the v1 routes' first hook; null before it and on other routes (their errors use the defaults). */
    systemParams: SystemParams | null;
  }
}

/** Declares `systemParams` on every request: the error handler reads it whatever the route. */
export function decorateSystemParams(app: FastifyInstance): void {
  app.decorateRequest('systemParams', null);
}

/** A v1 request's system parameters: every v1 handler runs after the hook that reads them. */
export function systemParamsOf(request: FastifyRequest): SystemParams {
  if (request.systemParams === null) throw new Error(`${request.url}: system parameters used before they were read`);
  return request.systemParams;
}

const BOOLEAN: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/**
 * The query parameters a method takes: Google's standard ones (the discovery document's list). No method of
 * this API binds a field from the query string (its bodies hold every field, its paths the job), so any other
 * name is refused, as Google's front end refuses a name its request message lacks.
 */
const KNOWN_PARAMETERS: ReadonlySet<string> = new Set(Object.keys(STANDARD_PARAMETERS));

/** A JavaScript name or property path (`cb`, `app.handlers.dp`, `cbs[0]`): what a JSONP callback may be. */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

/** Google's words for a query parameter no field of the request message answers to. */
export function unboundParameter(name: string): FieldViolation {
  return {
    description: `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
  };
}

/**
 * Reads `access_token`/`oauth_token`, `alt`, `callback`, `fields`, `prettyPrint` and `$.xgafv`; `key`,
 * `quotaUser`, `upload_protocol` and `uploadType` are accepted and ignored, as Google's front end does for
 * methods that don't use them. Any other parameter is refused.
 */
export function readSystemParams(request: FastifyRequest, reply: FastifyReply): void {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).filter((name) => !KNOWN_PARAMETERS.has(name));
  if (unknown.length > 0) throw ApiError.badRequest(unknown.map(unboundParameter));
  const alt = one(q.alt);
  // `media` and `proto` are in the discovery document's list for every Google API; this API has no media to
  // download, and its answers are served as JSON only (Dataport has no protobuf encoding of its messages).
  if (alt !== undefined && alt !== 'json') throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'alt': "${alt}"; this API answers only alt=json.`);
  const xgafv = one(q['$.xgafv']);
  if (xgafv !== undefined && xgafv !== '1' && xgafv !== '2') throw new ApiError('INVALID_ARGUMENT', `Invalid value at '$.xgafv': "${xgafv}"`);
  const pretty = one(q.prettyPrint);
  if (pretty !== undefined && !(pretty in BOOLEAN)) throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'prettyPrint': "${pretty}"`);
  const callback = one(q.callback) || undefined;
  if (callback !== undefined && !CALLBACK.test(callback)) throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'callback': "${callback}"`);
  const fieldsSpec = one(q.fields);
  let fields: FieldTree | undefined;
  if (fieldsSpec !== undefined && fieldsSpec !== '') {
    try {
      fields = parseFields(fieldsSpec);
    } catch (error) {
      if (error instanceof FieldsSyntaxError) throw new ApiError('INVALID_ARGUMENT', error.message);
      throw error;
    }
  }
  request.systemParams = {
    accessToken: one(q.access_token) ?? one(q.oauth_token),
    fields,
    prettyPrint: pretty === undefined ? true : BOOLEAN[pretty]!,
    callback,
  };
  reply.header('content-type', callback ? JSONP_CONTENT_TYPE : JSON_CONTENT_TYPE);
}

const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
const JSONP_CONTENT_TYPE = 'text/javascript; charset=UTF-8';

/**
 * The text of an answer (a result or an error body) as the caller asked for it: indented unless
 * `prettyPrint=false`, and wrapped as Google's front end wraps JSONP (`// API callback` then `cb(…);`).
 */
export function answerText(params: SystemParams | null, json: unknown): string {
  const text = typeof json === 'string' ? json : JSON.stringify(json, null, params?.prettyPrint === false ? undefined : 2);
  return params?.callback ? `// API callback\n${params.callback}(${text});` : text;
}

/** The content type that goes with `answerText`. */
export function answerContentType(params: SystemParams | null): string {
  return params?.callback ? JSONP_CONTENT_TYPE : JSON_CONTENT_TYPE;
}
