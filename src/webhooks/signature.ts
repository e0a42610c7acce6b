import { Webhook } from 'standardwebhooks';

// The one module that imports `standardwebhooks` (the Standard Webhooks reference implementation).

/**
 * The `webhook-signature` header: one `v1,<base64 HMAC-SHA256>` per secret, space-separated, as the
 * specification allows while a secret is being rotated.
 */
export function signDelivery(secrets: readonly string[], msgId: string, timestamp: Date, payload: string): string {
  return secrets.map((s) => new Webhook(s).sign(msgId, timestamp, payload)).join(' ');
}

/** Verifies a delivery (signature and a timestamp within five minutes); returns the parsed event or throws. */
export function verifyDelivery(
  secret: string,
  body: string,
  headers: Record<string, string>,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}
