import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { HttpSourceDefinition } from '../../catalog/index.js';

/** A response the endpoint answered with an error status; `retryAfterMs` from its Retry-After header. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly bodyStart: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}${bodyStart ? `: ${bodyStart}` : ''}`);
  }
}

class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** How much of an error response is kept for the operator's failure reason. */
const ERROR_BODY_CHARS = 300;

export interface HttpGetter {
  /** GETs `url`; resolves once a 2xx status arrives (the body still streaming), rejects with HttpStatusError otherwise. */
  get(url: URL, signal: AbortSignal): Promise<IncomingMessage>;
  close(): void;
}

/**
 * GET with bearer or mutual-TLS authentication and a timeout that covers both the wait for the headers
 * and any pause in the body (a socket idle timeout), on kept-alive connections.
 */
export function createHttpGetter(definition: HttpSourceDefinition, baseDir: string): HttpGetter {
  const auth = definition.auth;
  const tls =
    auth && 'mtls' in auth
      ? {
          cert: readFileSync(path.resolve(baseDir, auth.mtls.cert)),
          key: readFileSync(path.resolve(baseDir, auth.mtls.key)),
          ...(auth.mtls.ca ? { ca: readFileSync(path.resolve(baseDir, auth.mtls.ca)) } : {}),
        }
      : {};
  const secure = definition.url.startsWith('https:');
  const agent = secure ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
  const headers: Record<string, string> = { accept: 'application/x-ndjson', 'user-agent': 'Dataport http source' };
  if (auth && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;

  return {
    get(url, signal) {
      return new Promise((resolve, reject) => {
        const request = (secure ? https : http).request(url, { method: 'GET', agent, headers, signal }, (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(response);
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (d: string) => {
            if (text.length < ERROR_BODY_CHARS) text += d;
          });
          response.on('error', () => {});
          response.on('end', () => reject(new HttpStatusError(status, text.slice(0, ERROR_BODY_CHARS).trim(), retryAfterMs(response.headers['retry-after']))));
        });
        request.setTimeout(definition.timeout, () => request.destroy(new HttpTimeoutError(`no answer from ${url.origin} within ${definition.timeout} ms`)));
        request.on('error', reject);
        request.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** `Retry-After: 5` or an HTTP date. */
function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
