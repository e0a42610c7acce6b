import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentSourceError, TransientSourceError } from './types.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Wait before the second try; doubled before each next one. */
  readonly backoffMs: number;
}

/** A longer wait than this only holds a worker that the job runner's own backoff would free. */
const MAX_BACKOFF_MS = 30_000;

/** Network failures that may pass, as Node and the database client libraries report them in `error.code`. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What a connector makes of a failure: retry it, or give up at once. `retryAfterMs` honours a server's hint. */
export type FailureKind = { transient: true; retryAfterMs?: number } | { transient: false };

/**
 * Runs `attempt` until it succeeds, retrying transient failures with exponential backoff and jitter.
 * A failure that stays transient after the last try becomes a TransientSourceError (the job runner may
 * then run the whole job again later); any other becomes a PermanentSourceError (the job FAILS, its
 * message kept for the operator). `what` names the operation in that message.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  classify: (error: unknown) => FailureKind,
): Promise<T> {
  for (let n = 1; ; n++) {
    signal.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      signal.throwIfAborted();
      if (error instanceof TransientSourceError || error instanceof PermanentSourceError) throw error;
      const kind = classify(error);
      const message = error instanceof Error ? error.message : String(error);
      if (!kind.transient) throw new PermanentSourceError(`${what}: ${message}`, { cause: error });
      if (n >= policy.attempts) {
        throw new TransientSourceError(`${what}: ${message} (gave up after ${n} attempt${n > 1 ? 's' : ''})`, { cause: error });
      }
      const exponential = policy.backoffMs * 2 ** (n - 1);
      // Full jitter keeps many jobs that failed together from retrying in lockstep.
      const waitMs = Math.min(MAX_BACKOFF_MS, Math.max(kind.retryAfterMs ?? 0, exponential / 2 + Math.random() * (exponential / 2)));
      await sleep(waitMs, undefined, { signal });
    }
  }
}

/** Wraps a failure in the middle of a stream: records already went out, so only the whole job can be redone. */
export function streamFailure(what: string, error: unknown, transient: boolean): Error {
  if (error instanceof TransientSourceError || error instanceof PermanentSourceError) return error;
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  return transient ? new TransientSourceError(message, { cause: error }) : new PermanentSourceError(message, { cause: error });
}
