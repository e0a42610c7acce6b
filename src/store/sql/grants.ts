import type { Db } from '../database.js';
import type { GrantsTable } from '../schema.js';
import { withdrawJobsOfGrants } from './jobs.js';
import { enqueueEvent, inTransaction } from './webhooks.js';

export type GrantRow = GrantsTable;

export async function insertGrant(db: Db, grant: GrantRow): Promise<void> {
  await db.insertInto('grants').values(grant).execute();
}

export async function findGrant(db: Db, id: string): Promise<GrantRow | undefined> {
  return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGrantsForUser(db: Db, userId: string): Promise<GrantRow[]> {
  return db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
}

// Every way a grant ends goes through one of the three functions below, and each withdraws the grants' jobs
// with it (jobs.ts withdrawJobsOfGrants): consent is the key to the archives it made. Each also writes the
// client's `authorization.revoked` notifications, in the same transaction.

/** Why a grant ended, as `authorization.revoked` tells the client. */
export type RevocationReason = 'reset' | 'user_removed_app' | 'revoked' | 'client_removed' | 'token_revoked';

/** Revokes every live grant of the user for the client, cancelling their running jobs; returns their ids. */
export async function revokeGrantsOf(db: Db, userId: string, clientId: string, now: number, reason: RevocationReason = 'revoked'): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('grants')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'client_id'])
      .execute();
    return withdrawAndNotify(trx, rows, now, reason);
  });
}

/** Revokes one grant and cancels its running jobs. */
export async function revokeGrant(db: Db, id: string, now: number, reason: RevocationReason = 'revoked'): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('grants')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'client_id'])
      .execute();
    await withdrawAndNotify(trx, rows, now, reason);
    return rows.length > 0;
  });
}

/** Revokes every live grant held by the client, for all users (the client was removed), cancelling their jobs; returns their ids. */
export async function revokeGrantsOfClient(db: Db, clientId: string, now: number): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('grants')
      .set({ revoked_at: now })
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'client_id'])
      .execute();
    return withdrawAndNotify(trx, rows, now, 'client_removed');
  });
}

async function withdrawAndNotify(
  trx: Db,
  revoked: { id: string; user_id: string; client_id: string }[],
  now: number,
  reason: RevocationReason,
): Promise<string[]> {
  const ids = revoked.map((r) => r.id);
  await withdrawJobsOfGrants(trx, ids, now);
  // One event per user and client (a user may hold several grants of one client), after the jobs' own.
  const seen = new Set<string>();
  for (const g of revoked) {
    const key = JSON.stringify([g.user_id, g.client_id]);
    if (seen.has(key)) continue;
    seen.add(key);
    await enqueueEvent(trx, { clientId: g.client_id, userId: g.user_id, type: 'authorization.revoked', at: now, data: { reason } });
  }
  return ids;
}
