import { parseErrorResponse, PortabilityTransportError } from './errors.js';
import type { AccessTypeCheckResponse, InitiateRequest, InitiateResponse, PortabilityArchiveState, RetryResponse } from './types.js';

export interface PortabilityClientOptions {
  /** The server's root URL: a Dataport (`http://localhost:8080`) or `https://dataportability.googleapis.com/`. */
  rootUrl: string;
  /** An OAuth access token, or a function giving a current one (called before every request). */
  accessToken: string | (() => string | Promise<string>);
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /** Replaces the global fetch (a proxy-aware one, say). */
  fetch?: typeof fetch;
}

/**
 * A small typed client for the six methods of Data Portability API v1. It speaks the protocol exactly as
 * Google's client does (same paths, bodies and headers), and turns error answers into PortabilityApiError.
 *
 * @example
 * const api = createPortabilityClient({ rootUrl: 'http://localhost:8080', accessToken: token });
 * const { archiveJobId } = await api.initiate({ resources: ['myactivity.search'] });
 * const state = await api.getArchiveState(archiveJobId);
 */
export function createPortabilityClient(options: PortabilityClientOptions) {
  const root = options.rootUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const token = typeof options.accessToken === 'function' ? await options.accessToken() : options.accessToken;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (options.userAgent) headers['user-agent'] = options.userAgent;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${root}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      throw new PortabilityTransportError(`cannot reach ${root}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw parseErrorResponse(response.status, text, Object.fromEntries(response.headers));
    try {
      return (text.trim() === '' ? {} : JSON.parse(text)) as T;
    } catch (error) {
      throw new PortabilityTransportError(`${method} ${path}: the server answered ${response.status} with a body that is not JSON`, { cause: error });
    }
  }

  const job = (id: string) => `/v1/archiveJobs/${encodeURIComponent(id)}`;

  return {
    rootUrl: root,
    /** portabilityArchive.initiate */
    initiate: (request: InitiateRequest) => call<InitiateResponse>('POST', '/v1/portabilityArchive:initiate', request),
    /** archiveJobs.getPortabilityArchiveState */
    getArchiveState: (jobId: string) => call<PortabilityArchiveState>('GET', `${job(jobId)}/portabilityArchiveState`),
    /** archiveJobs.retry: a new job for a FAILED one. */
    retry: (jobId: string) => call<RetryResponse>('POST', `${job(jobId)}:retry`, {}),
    /** archiveJobs.cancel: only an IN_PROGRESS job. */
    cancel: (jobId: string) => call<Record<string, never>>('POST', `${job(jobId)}:cancel`, {}),
    /** authorization.reset */
    resetAuthorization: () => call<Record<string, never>>('POST', '/v1/authorization:reset', {}),
    /** accessType.check */
    checkAccessType: () => call<AccessTypeCheckResponse>('POST', '/v1/accessType:check', {}),
  };
}

export type PortabilityClient = ReturnType<typeof createPortabilityClient>;
