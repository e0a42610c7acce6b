import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * What an incoming X-Request-Id may be: it is written into every log line of the request and stored with the
 * job it starts, so only a short run of characters that cannot break a log line or a header. A load balancer's
 * or a client's id (a UUID, `Root=1-...` trace ids, base64) fits.
 */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when it is acceptable, otherwise a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}
