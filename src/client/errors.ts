/**
 * A failed call to a Data Portability API server, parsed from Google's error body
 * (`{"error": {"code", "message", "status", "details": [ErrorInfo]}}`, AIP-193).
 */
export class PortabilityApiError extends Error {
  override readonly name = 'PortabilityApiError';
  constructor(
    /** The HTTP status, e.g. 429. */
    readonly httpStatus: number,
    /** google.rpc.Code name, e.g. `RESOURCE_EXHAUSTED`; `UNKNOWN` when the body is not Google's. */
    readonly status: string,
    message: string,
    /** The ErrorInfo reason, e.g. `RESOURCE_EXHAUSTED_TIME_BASED`, when the server gave one. */
    readonly reason: string | undefined,
    /** ErrorInfo metadata, e.g. `{ timestamp_after_24hrs, previous_job_ids }`. */
    readonly metadata: Readonly<Record<string, string>>,
    /** Response headers the caller may need (`WWW-Authenticate`, `Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** A network failure or a non-JSON answer where the API should have spoken. */
export class PortabilityTransportError extends Error {
  override readonly name = 'PortabilityTransportError';
}

interface GoogleErrorShape {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { '@type'?: string; reason?: string; metadata?: Record<string, string> }[];
  };
}

/** Builds the typed error from a non-2xx response's status, body text and headers. */
export function parseErrorResponse(httpStatus: number, bodyText: string, headers: Record<string, string> = {}): PortabilityApiError {
  let body: GoogleErrorShape | undefined;
  try {
    body = JSON.parse(bodyText) as GoogleErrorShape;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (!error || typeof error !== 'object') {
    const snippet = bodyText.trim().slice(0, 200);
    return new PortabilityApiError(httpStatus, 'UNKNOWN', `HTTP ${httpStatus}${snippet ? `: ${snippet}` : ''}`, undefined, {}, headers);
  }
  const info = error.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
  return new PortabilityApiError(httpStatus, error.status ?? 'UNKNOWN', error.message ?? `HTTP ${httpStatus}`, info?.reason, info?.metadata ?? {}, headers);
}
