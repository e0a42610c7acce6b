import { webhooksSql, type Db, type WebhookEventRow } from '../store/index.js';
import type { SecretBox } from './secret-box.js';
import { signDelivery } from './signature.js';

export interface WebhookDeliveryDeps {
  db: Db;
  now: () => number;
  box: SecretBox;
  /** Identifies this process in the outbox's locks. */
  workerId: string;
  /** An endpoint that has not answered within this is a failed attempt. */
  timeoutMs: number;
  /** The first retry's delay; each next one is four times longer, up to `retryMaxMs`, with jitter. */
  retryFirstMs: number;
  retryMaxMs: number;
  /** Retries go on this long after the event (or its redelivery); then it fails for good. */
  retryWindowMs: number;
  /** How often the outbox is looked at for due events. */
  pollMs: number;
  /** DATAPORT_WEBHOOK_LOG_RETENTION: grants that lapsed longer ago than this get no event (theirs may be pruned). */
  logRetentionMs: number;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

/** Events taken per pass; each is one user's oldest pending event, so they are sent in parallel. */
const CLAIM_BATCH = 20;
/** Bytes of an answer's body read (for the log) before the connection is dropped: receivers need not answer at all. */
const MAX_RESPONSE_BYTES = 1024;
/** Lapsed grants have no write to hang an event on: a sweep finds them this often. */
const LAPSED_GRANT_SWEEP_MS = 60_000;

/**
 * Sends the outbox's events to the clients' endpoints, signed as Standard Webhooks specifies: at least once
 * (an event leaves the outbox only when an attempt got a 2xx), in order per user and client, retried with
 * exponential backoff and jitter (Retry-After honoured) for `retryWindowMs`. An endpoint that took nothing
 * for a whole retry window, ending with a failed event, is disabled, with an entry in the delivery log.
 */
export function createWebhookDelivery(deps: WebhookDeliveryDeps) {
  const { db, now } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let lastLapsedSweep = 0;

  async function runOnce(): Promise<number> {
    const at = now();
    if (at - lastLapsedSweep >= LAPSED_GRANT_SWEEP_MS) {
      lastLapsedSweep = at;
      await webhooksSql.enqueueLapsedGrantEvents(db, at, at - deps.logRetentionMs);
    }
    // The lock outlives the attempt (timeout plus slack): a worker that dies leaves it to lapse, then another sends again.
    const events = await webhooksSql.claimDueEvents(db, deps.workerId, at, at + deps.timeoutMs + 30_000, CLAIM_BATCH);
    await Promise.all(events.map((e) => deliver(e).catch((err: unknown) => deps.log.error({ err, eventId: e.id }, 'webhook delivery failed'))));
    return events.length;
  }

  async function deliver(event: WebhookEventRow): Promise<void> {
    const endpoint = await webhooksSql.findEndpoint(db, event.client_id);
    const attempt = event.attempts + 1;
    if (!endpoint) {
      await webhooksSql.settleAttempt(db, event, deps.workerId, {
        state: 'failed',
        nextAttemptAt: now(),
        log: { attempt, url: null, status: null, latency_ms: null, error: 'the client has no endpoint', at: now() },
      });
      return;
    }
    const at = now();
    const secrets = [endpoint.secret_sealed];
    // During a rotation's grace both secrets sign: the spec's space-separated signatures, newest first.
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_until !== null && endpoint.previous_secret_until > at) {
      secrets.push(endpoint.previous_secret_sealed);
    }
    const timestamp = new Date(at);
    const signature = signDelivery(
      secrets.map((s) => deps.box.open(s)),
      event.id,
      timestamp,
      event.payload,
    );
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Dataport-Webhooks/1',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(at / 1000)),
          'webhook-signature': signature,
        },
        body: event.payload,
        // A redirect is an answer, not an instruction: only the configured URL is ever called.
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      status = response.status;
      const body = await readLimited(response);
      if (status < 200 || status >= 300) error = body.slice(0, 200) || null;
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), at);
    } catch (thrown) {
      const cause = (thrown as { cause?: { code?: string } }).cause;
      error =
        (thrown as Error).name === 'TimeoutError'
          ? `no answer within ${deps.timeoutMs} ms`
          : `${(thrown as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
    }
    const latency = Math.round(performance.now() - started);
    const log = { attempt, url: endpoint.url, status, latency_ms: latency, error, at: now() };
    if (status !== null && status >= 200 && status < 300) {
      await webhooksSql.settleAttempt(db, event, deps.workerId, { state: 'delivered', nextAttemptAt: log.at, log });
      return;
    }
    const windowEnd = event.retry_from + deps.retryWindowMs;
    if (log.at >= windowEnd) {
      await webhooksSql.settleAttempt(db, event, deps.workerId, { state: 'failed', nextAttemptAt: log.at, log });
      deps.log.warn({ eventId: event.id, clientId: event.client_id, attempts: attempt }, 'webhook event failed for good after its retry window');
      // Nothing taken for a whole window: stop calling an endpoint that is gone. `webhook set` enables it again.
      const lastSuccess = await webhooksSql.lastSuccessAt(db, event.client_id);
      if (lastSuccess === undefined || lastSuccess < log.at - deps.retryWindowMs) {
        const reason = `no delivery succeeded for ${Math.round((deps.retryWindowMs / 3_600_000) * 10) / 10} h; last: ${status ?? error}`;
        if (await webhooksSql.disableEndpoint(db, event.client_id, reason, log.at)) {
          deps.log.warn({ clientId: event.client_id, url: endpoint.url }, 'webhook endpoint disabled');
        }
      }
      return;
    }
    const backoff = Math.min(deps.retryMaxMs, deps.retryFirstMs * 4 ** (attempt - 1));
    // Jitter (±25%) spreads the retries of many events that failed together (an endpoint's outage).
    const delay = Math.max(backoff * (0.75 + Math.random() * 0.5), retryAfterMs ?? 0);
    await webhooksSql.settleAttempt(db, event, deps.workerId, { state: 'pending', nextAttemptAt: Math.round(Math.min(log.at + delay, windowEnd)), log });
  }

  function schedule() {
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err: unknown) => {
          deps.log.error({ err }, 'webhook delivery pass failed');
          return 0;
        })
        .finally(() => {
          running = undefined;
          if (timer) schedule();
        });
    }, deps.pollMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (!timer) schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

/** `Retry-After`: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
