import type { Catalog } from '../catalog/index.js';
import { accountHistory, auditSql, grants, type AccessMode, type Db } from '../store/index.js';
import type { ClientService } from './clients.js';

/** The account page shows this many most recent exports. */
const HISTORY_LIMIT = 100;

export interface ConnectedApp {
  clientId: string;
  clientName: string;
  groups: string[];
  access: AccessMode;
  expiresAt: number | null;
  grantedAt: number;
}

export interface ExportRecord {
  clientName: string;
  createdAt: number;
  groups: string[];
  state: string;
  downloadedAt: number | null;
}

export interface ActivityRecord {
  at: number;
  action: string;
  clientName: string;
  jobId: string | null;
  ip: string | null;
  /** A download's byte range, `first-last`. */
  range?: string;
}

/** What the user's account page shows: apps holding a live grant, and every export they made. */
export function createAccountOverview(deps: { db: Db; catalog: Catalog; clients: Pick<ClientService, 'findClientName'>; now: () => number }) {
  const { db, now } = deps;

  async function clientNames(ids: Iterable<string>): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(ids)) names.set(id, (await deps.clients.findClientName(id)) ?? id);
    return names;
  }

  /** One entry per client: its grants merged (a user may have consented more than once). */
  async function listApps(userId: string): Promise<ConnectedApp[]> {
    const at = now();
    const live = (await grants.listGrantsForUser(db, userId)).filter((g) => g.revoked_at === null && (g.expires_at === null || g.expires_at > at));
    const names = await clientNames(live.map((g) => g.client_id));
    const byClient = new Map<string, ConnectedApp>();
    for (const g of live) {
      const groups = JSON.parse(g.resources) as string[];
      const existing = byClient.get(g.client_id);
      if (existing) {
        existing.groups = [...new Set([...existing.groups, ...groups])].sort();
        continue;
      }
      byClient.set(g.client_id, {
        clientId: g.client_id,
        clientName: names.get(g.client_id)!,
        groups,
        access: g.access,
        expiresAt: g.expires_at,
        grantedAt: g.created_at,
      });
    }
    return [...byClient.values()];
  }

  async function listExports(userId: string): Promise<ExportRecord[]> {
    const rows = await accountHistory.listExportHistory(db, userId, HISTORY_LIMIT);
    const names = await clientNames(rows.map((r) => r.client_id));
    return rows.map((r) => ({
      clientName: names.get(r.client_id)!,
      createdAt: r.created_at,
      groups: JSON.parse(r.resources) as string[],
      state: r.state,
      downloadedAt: r.downloaded_at === null ? null : Number(r.downloaded_at),
    }));
  }

  /** The user's own audit entries, newest first: which app did what with their data, and the downloads. */
  async function listActivity(userId: string): Promise<ActivityRecord[]> {
    const rows = await auditSql.listAudit(db, { userId, limit: HISTORY_LIMIT }, true);
    const names = await clientNames(rows.flatMap((r) => (r.client_id === null ? [] : [r.client_id])));
    return rows.map((r) => {
      const detail = JSON.parse(r.detail) as { range?: string };
      return {
        at: r.at,
        action: r.action,
        clientName: r.client_id === null ? '' : names.get(r.client_id)!,
        jobId: r.job_id,
        ip: r.ip,
        ...(detail.range ? { range: detail.range } : {}),
      };
    });
  }

  return { listApps, listExports, listActivity };
}

export type AccountOverview = ReturnType<typeof createAccountOverview>;
