import type { Db } from './database.js';
import { pruneAudit } from './sql/audit.js';
import { pruneHistory } from './sql/webhooks.js';

export interface RetentionPeriods {
  /** DATAPORT_AUDIT_RETENTION */
  auditRetentionMs: number;
  /** DATAPORT_WEBHOOK_LOG_RETENTION */
  webhookLogRetentionMs: number;
}

export interface PrunedHistory {
  auditEntries: number;
  webhookEvents: number;
  webhookDeliveries: number;
}

/**
 * Deletes the records kept only as history once they are past their retention: audit entries (from the oldest
 * end, the chain re-anchored) and the webhook outbox's settled events and delivery log. The server's maintenance
 * pass and `dataport gc` both run it.
 */
export async function pruneHistoryPastRetention(db: Db, now: number, periods: RetentionPeriods): Promise<PrunedHistory> {
  const auditEntries = await pruneAudit(db, now - periods.auditRetentionMs);
  const webhooks = await pruneHistory(db, now - periods.webhookLogRetentionMs);
  return { auditEntries, webhookEvents: webhooks.events, webhookDeliveries: webhooks.deliveries };
}
