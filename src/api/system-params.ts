import type { FastifyReply, FastifyRequest } from 'fastify';
import { FieldsSyntaxError, parseFields, type FieldTree } from './fields-mask.js';
import { ApiError } from './api-error.js';

/** Google's standard query parameters, accepted on every method. */
export interface SystemParams {
  accessToken?: string | undefined;
  fields?: FieldTree | undefined;
  prettyPrint: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    systemParams: SystemParams;
  }
}

const BOOLEAN: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

/**
 * Reads `access_token`/`oauth_token`, `alt`, `fields`, `prettyPrint` and `$.xgafv`; `key`, `quotaUser`,
 * `callback`, `upload_protocol` and `uploadType` are accepted and ignored, as Google's front end does for
 * methods that don't use them.
 */
export function readSystemParams(request: FastifyRequest, reply: FastifyReply): void {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const alt = one(q.alt);
  if (alt !== undefined && alt !== 'json') throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'alt': "${alt}"; only json is supported.`);
  const xgafv = one(q['$.xgafv']);
  if (xgafv !== undefined && xgafv !== '1' && xgafv !== '2') throw new ApiError('INVALID_ARGUMENT', `Invalid value at '$.xgafv': "${xgafv}"`);
  const pretty = one(q.prettyPrint);
  if (pretty !== undefined && !(pretty in BOOLEAN)) throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'prettyPrint': "${pretty}"`);
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
  };
  reply.header('content-type', 'application/json; charset=UTF-8');
}
