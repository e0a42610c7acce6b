import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../auth/index.js';
import { JobError } from '../jobs/index.js';
import { isStoreUnavailable } from '../store/index.js';
import { ApiError } from './api-error.js';
import { AUTH_ERROR_MAPPING, FRONT_END_DOMAIN, googleError, JOB_ERROR_MAPPING, SERVICE_NAME, type GoogleErrorBody } from './google-errors.js';
import { JsonPayloadError } from './json-payload.js';
import { answerContentType, answerText } from './system-params.js';

/**
 * ErrorInfo metadata Google's front end adds to the errors it raises itself (domain `googleapis.com`): the
 * service and the RPC the request was for, when the request was for one.
 */
function frontEndMetadata(request: FastifyRequest): Record<string, string> {
  return request.rpcMethod ? { service: SERVICE_NAME, method: request.rpcMethod } : {};
}

/** Turns any error into Google's error body. Errors we did not expect become a generic 500 and are logged. */
function toGoogleError(error: unknown, request: FastifyRequest): { httpStatus: number; body: GoogleErrorBody; headers?: Record<string, string> } {
  if (error instanceof JobError) {
    const mapping = JOB_ERROR_MAPPING[error.code];
    const reason = 'reason' in mapping ? mapping.reason : undefined;
    const reasonText = typeof reason === 'function' ? reason(error.metadata, request.caller?.accessType) : reason;
    const domain = 'domain' in mapping ? mapping.domain : undefined;
    const metadata = domain === FRONT_END_DOMAIN ? { ...frontEndMetadata(request), ...error.metadata } : { ...error.metadata };
    const shaped = googleError(mapping.status, error.message, reasonText ? { reason: reasonText, ...(domain ? { domain } : {}), metadata } : undefined);
    // RFC 6750 §3.1: a token that lacks the scope for the request is answered with insufficient_scope.
    return error.code === 'RESOURCES_NOT_AUTHORIZED'
      ? { ...shaped, headers: { 'www-authenticate': 'Bearer realm="dataport", error="insufficient_scope"' } }
      : shaped;
  }
  if (error instanceof ApiError) {
    return { ...googleError(error.status, error.message, error.info, error.violations), ...(error.headers ? { headers: error.headers } : {}) };
  }
  if (error instanceof JsonPayloadError) return googleError('INVALID_ARGUMENT', error.message, undefined, [{ description: error.message }]);
  if (error instanceof AuthError) {
    const { reason, message } = AUTH_ERROR_MAPPING[error.code];
    // RFC 6750: a missing token gets the bare challenge, a bad one names invalid_token.
    const challenge = error.code === 'MISSING_CREDENTIALS' ? 'Bearer realm="dataport"' : 'Bearer realm="dataport", error="invalid_token"';
    return {
      ...googleError('UNAUTHENTICATED', message, { reason, domain: FRONT_END_DOMAIN, metadata: frontEndMetadata(request) }),
      headers: { 'www-authenticate': challenge },
    };
  }
  const fe = error as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return googleError('INVALID_ARGUMENT', `Unsupported content type: ${request.headers['content-type']}`);
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // Google's front end words it so, naming its limit.
    return googleError('INVALID_ARGUMENT', `Request payload size exceeds the limit: ${request.routeOptions.bodyLimit} bytes.`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return googleError(fe.statusCode === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT', fe.message);
  }
  if (isStoreUnavailable(error)) {
    // The database or blob store can't take the request for now (full disk, I/O error, a lost connection):
    // 503 UNAVAILABLE is Google's code for a transient condition, which clients retry with backoff.
    request.log.error({ err: error }, 'storage unavailable');
    return googleError('UNAVAILABLE', 'The service is currently unavailable.');
  }
  request.log.error({ err: error }, 'unexpected error');
  return googleError('INTERNAL', 'Internal error encountered.');
}

export function sendGoogleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { httpStatus, body, headers } = toGoogleError(error, request);
  if (headers) reply.headers(headers);
  // An error is never a file to save, even when it happens after a download's headers were set.
  reply.removeHeader('content-disposition');
  return reply
    .code(httpStatus)
    .type(answerContentType(request.systemParams))
    .serializer((p: unknown) => answerText(request.systemParams, p))
    .send(body);
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendGoogleError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendGoogleError(new ApiError('NOT_FOUND', `The requested URL ${request.url.split('?')[0]} was not found on this server.`), request, reply),
  );
}
