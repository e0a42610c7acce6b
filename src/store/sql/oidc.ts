import type { Db } from '../database.js';
import type { GrantsTable, OidcPayloadsTable } from '../schema.js';

/** oidc-provider's storage: one row per (model, sha256 of id). Callers hash ids before they get here. */
export type OidcPayloadRow = OidcPayloadsTable;

export async function upsertPayload(db: Db, row: OidcPayloadRow): Promise<void> {
  await db
    .insertInto('oidc_payloads')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['model', 'id']).doUpdateSet({
        payload: row.payload,
        grant_id: row.grant_id,
        uid: row.uid,
        user_code: row.user_code,
        expires_at: row.expires_at,
        consumed_at: row.consumed_at,
      }),
    )
    .execute();
}

/**
 * The row of `model` whose `column` (its id's sha256, oidc-provider's `uid`, or a device flow's user code)
 * holds `value`, unless it has expired.
 */
export async function findPayload(db: Db, model: string, column: 'id' | 'uid' | 'user_code', value: string, now: number): Promise<OidcPayloadRow | undefined> {
  return db
    .selectFrom('oidc_payloads')
    .selectAll()
    .where('model', '=', model)
    .where(column, '=', value)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function consumePayload(db: Db, model: string, idHash: string, now: number): Promise<void> {
  await db.updateTable('oidc_payloads').set({ consumed_at: now }).where('model', '=', model).where('id', '=', idHash).execute();
}

export async function destroyPayload(db: Db, model: string, idHash: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', idHash).execute();
}

/**
 * Deletes every code and token stored under these grant ids, and the grants themselves (a Grant row carries
 * its own id in `grant_id`).
 */
export async function destroyByGrantIds(db: Db, grantIds: readonly string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.deleteFrom('oidc_payloads').where('grant_id', 'in', grantIds).execute();
}

export async function deleteExpiredPayloads(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * An OAuth-issued access token (model AccessToken, by the sha256 of its value) joined with the Dataport grant
 * it was issued under, expired or not (the caller tells an expired token apart); undefined when unknown or
 * consumed. `scope` is the token's own (a refresh may narrow it below the grant's, RFC 6749 §6).
 */
export async function findAccessTokenGrant(db: Db, tokenHash: string): Promise<{ expiresAt: number | null; scope: string; grant: GrantsTable } | undefined> {
  const row = await db
    .selectFrom('oidc_payloads as t')
    .innerJoin('grants as g', 'g.id', 't.grant_id')
    .select([
      't.expires_at as t_expires_at',
      't.payload as t_payload',
      'g.id',
      'g.user_id',
      'g.client_id',
      'g.resources',
      'g.access',
      'g.created_at',
      'g.expires_at',
      'g.revoked_at',
    ])
    .where('t.model', '=', 'AccessToken')
    .where('t.id', '=', tokenHash)
    .where('t.consumed_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const { t_expires_at, t_payload, ...grant } = row;
  const { scope } = JSON.parse(t_payload) as { scope?: unknown };
  return { expiresAt: t_expires_at, scope: typeof scope === 'string' ? scope : '', grant };
}

/**
 * Deletes the provider's login sessions (model Session) of one account: a removed user's browser must not
 * skip the sign-in for the rest of the session's 14 days. The account is inside the JSON payload, so the
 * sessions are read and matched here; there are only as many as browsers signed in.
 */
export async function deleteSessionsOfAccount(db: Db, accountId: string): Promise<number> {
  const rows = await db.selectFrom('oidc_payloads').select(['id', 'payload']).where('model', '=', 'Session').execute();
  const ids = rows.filter((r) => (JSON.parse(r.payload) as { accountId?: unknown }).accountId === accountId).map((r) => r.id);
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
