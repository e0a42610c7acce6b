import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { WEBHOOK_EVENT_TYPES, webhooksSql, type Db, type WebhookEndpointRow, type WebhookEventType } from '../store/index.js';
import type { SecretBox } from './secret-box.js';

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/** How long the secret before a rotation still signs, by default: a day to deploy the new one. */
const DEFAULT_ROTATION_GRACE_MS = 24 * 3_600_000;

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks secret form. */
function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The only URLs ever called are the ones the operator sets here: https, or plain http to a loopback address
 * (a developer's own receiver), with no credentials or fragment.
 */
function checkWebhookUrl(value: string): string {
  const url = URL.parse(value);
  if (!url) throw new WebhookError(`not an absolute URL: ${value}`);
  if (url.username || url.password) throw new WebhookError('credentials do not belong in a webhook URL');
  if (url.hash) throw new WebhookError(`a webhook URL has no fragment: ${value}`);
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url.href;
  throw new WebhookError(`a webhook URL must use https (plain http only for a loopback address): ${value}`);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}

function checkEvents(events: readonly string[] | undefined): WebhookEventType[] {
  if (!events || events.length === 0) return [...WEBHOOK_EVENT_TYPES];
  const unknown = events.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) throw new WebhookError(`unknown event type(s) ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  return [...new Set(events)] as WebhookEventType[];
}

export interface EndpointDescription {
  client_id: string;
  url: string;
  events: string[];
  /** When the previous secret stops signing (after a rotation). */
  previous_secret_until?: string;
  disabled_at?: string;
  disabled_reason?: string;
}

function describe(row: WebhookEndpointRow): EndpointDescription {
  return {
    client_id: row.client_id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    ...(row.previous_secret_until !== null ? { previous_secret_until: new Date(row.previous_secret_until).toISOString() } : {}),
    ...(row.disabled_at !== null ? { disabled_at: new Date(row.disabled_at).toISOString(), disabled_reason: row.disabled_reason ?? '' } : {}),
  };
}

/** The operator's registration of each client's webhook endpoint (`dataport clients webhook …`). */
export function createWebhookEndpoints(deps: { db: Db; now: () => number; box: SecretBox }) {
  const { db, now, box } = deps;

  /** Sets the endpoint (enabling it again if it was disabled). A new endpoint's secret is returned, once. */
  async function setEndpoint(clientId: string, url: string, events?: readonly string[]): Promise<EndpointDescription & { secret?: string }> {
    const checked = checkWebhookUrl(url);
    const types = checkEvents(events);
    const at = now();
    const existing = await webhooksSql.findEndpoint(db, clientId);
    if (existing) {
      await webhooksSql.updateEndpoint(db, clientId, { url: checked, events: JSON.stringify(types), disabled_at: null, disabled_reason: null }, at);
      return describe((await webhooksSql.findEndpoint(db, clientId))!);
    }
    const secret = newWebhookSecret();
    const row: WebhookEndpointRow = {
      client_id: clientId,
      url: checked,
      events: JSON.stringify(types),
      secret_sealed: box.seal(secret),
      previous_secret_sealed: null,
      previous_secret_until: null,
      created_at: at,
      updated_at: at,
      disabled_at: null,
      disabled_reason: null,
    };
    await webhooksSql.upsertEndpoint(db, row);
    return { ...describe(row), secret };
  }

  /** A new secret; the current one keeps signing beside it for `graceMs`. Returns the new secret, once. */
  async function rotateSecret(clientId: string, graceMs = DEFAULT_ROTATION_GRACE_MS): Promise<EndpointDescription & { secret: string }> {
    const existing = await webhooksSql.findEndpoint(db, clientId);
    if (!existing) throw new WebhookError(`client ${clientId} has no webhook endpoint`);
    const secret = newWebhookSecret();
    const at = now();
    await webhooksSql.updateEndpoint(
      db,
      clientId,
      {
        secret_sealed: box.seal(secret),
        previous_secret_sealed: graceMs > 0 ? existing.secret_sealed : null,
        previous_secret_until: graceMs > 0 ? at + graceMs : null,
      },
      at,
    );
    return { ...describe((await webhooksSql.findEndpoint(db, clientId))!), secret };
  }

  async function removeEndpoint(clientId: string): Promise<boolean> {
    return webhooksSql.deleteEndpoint(db, clientId);
  }

  async function listEndpoints(): Promise<EndpointDescription[]> {
    return (await webhooksSql.listEndpoints(db)).map(describe);
  }

  /** The delivery log of the client, newest first. */
  async function deliveryLog(clientId: string, limit = 100) {
    return (await webhooksSql.listDeliveries(db, clientId, limit)).map((d) => ({
      at: new Date(d.at).toISOString(),
      kind: d.kind,
      event_id: d.event_id,
      type: d.type,
      attempt: d.attempt,
      status: d.status,
      latency_ms: d.latency_ms,
      error: d.error,
      url: d.url,
    }));
  }

  /** Sends an event again (a fresh retry window), whatever happened to it before. */
  async function redeliver(eventId: string): Promise<{ event_id: string; client_id: string; type: string }> {
    const event = await webhooksSql.redeliverEvent(db, eventId, now());
    if (!event) throw new WebhookError(`no webhook event ${eventId}`);
    return { event_id: event.id, client_id: event.client_id, type: event.type };
  }

  return { setEndpoint, rotateSecret, removeEndpoint, listEndpoints, deliveryLog, redeliver };
}

export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;
