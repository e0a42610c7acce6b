import type { Db } from '../database.js';

export type UpstreamLink = { ok: true; accountId: string } | { ok: false; reason: 'local-account' | 'linked-elsewhere' };

/**
 * The account an upstream identity signs in as: its link when it has one; otherwise `accountId` is linked to
 * it (and the account made) if that id is free: no account, or an account without a password that no other
 * identity holds (made by an upstream sign-in before links were kept). One transaction, so two first
 * sign-ins at once cannot both take the id.
 */
export async function linkUpstreamIdentity(db: Db, identity: { issuer: string; subject: string; accountId: string; now: number }): Promise<UpstreamLink> {
  return db.transaction().execute(async (trx): Promise<UpstreamLink> => {
    const linked = await trx
      .selectFrom('upstream_identities')
      .select('account_id')
      .where('issuer', '=', identity.issuer)
      .where('subject', '=', identity.subject)
      .executeTakeFirst();
    if (linked) return { ok: true, accountId: linked.account_id };
    const account = await trx.selectFrom('accounts').select('password_hash').where('id', '=', identity.accountId).executeTakeFirst();
    if (account?.password_hash != null) return { ok: false, reason: 'local-account' };
    const holder = await trx.selectFrom('upstream_identities').select('subject').where('account_id', '=', identity.accountId).executeTakeFirst();
    if (holder) return { ok: false, reason: 'linked-elsewhere' };
    if (!account) await trx.insertInto('accounts').values({ id: identity.accountId, password_hash: null, created_at: identity.now }).execute();
    await trx
      .insertInto('upstream_identities')
      .values({ issuer: identity.issuer, subject: identity.subject, account_id: identity.accountId, created_at: identity.now })
      .execute();
    return { ok: true, accountId: identity.accountId };
  });
}

/** Whether an upstream identity signs in as this account. */
export async function isUpstreamAccount(db: Db, accountId: string): Promise<boolean> {
  return (await db.selectFrom('upstream_identities').select('account_id').where('account_id', '=', accountId).executeTakeFirst()) !== undefined;
}
