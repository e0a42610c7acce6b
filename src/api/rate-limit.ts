import { ApiError } from './api-error.js';

/** Google's quota errors name the service whose quota ran out. */
const SERVICE = 'dataportability.googleapis.com';

/**
 * Per-client request rates: a fixed window of `windowMs`, counted in this process, `limit` requests per
 * OAuth client in each. A plain counter per client, checked synchronously in the API's authentication hook
 * (no promise or hook more on the polling path). Several API processes each count their own share: the
 * effective limit is `limit` times their number (docs/configuration.md).
 */
export function createClientRateLimiter(options: { limit: number; windowMs: number; now: () => number }) {
  const { limit, windowMs, now } = options;
  let windowEndsAt = 0;
  let counts = new Map<string, number>();
  return {
    /** Counts one request of `clientId`; the 429 to answer with when it is over the limit. */
    take(clientId: string): ApiError | undefined {
      const at = now();
      if (at >= windowEndsAt) {
        // A new window: every client starts again, and clients that went quiet are forgotten.
        counts = new Map();
        windowEndsAt = Math.floor(at / windowMs) * windowMs + windowMs;
      }
      const n = (counts.get(clientId) ?? 0) + 1;
      counts.set(clientId, n);
      if (n <= limit) return undefined;
      const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - at) / 1000));
      // Google's quota error: RESOURCE_EXHAUSTED, ErrorInfo RATE_LIMIT_EXCEEDED in the googleapis.com domain.
      return new ApiError(
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric 'Requests' and limit 'Requests per ${windowText(windowMs)} per client' of service '${SERVICE}' for consumer '${clientId}'.`,
        {
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            service: SERVICE,
            consumer: clientId,
            quota_metric: `${SERVICE}/default_requests`,
            quota_limit: 'DefaultRequestsPerClient',
            quota_limit_value: String(limit),
          },
        },
        { 'retry-after': String(retryAfterSeconds) },
      );
    },
  };
}

export type ClientRateLimiter = ReturnType<typeof createClientRateLimiter>;

function windowText(ms: number): string {
  if (ms === 60_000) return 'minute';
  if (ms === 1000) return 'second';
  return ms % 1000 === 0 ? `${ms / 1000} seconds` : `${ms} ms`;
}
