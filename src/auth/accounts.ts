import { createHash, randomBytes } from 'node:crypto';
import { accounts, accountSessions, oidcPayloads, upstreamIdentities, type Db } from '../store/index.js';
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';
import { createSignInThrottle } from './sign-in-throttle.js';

/** Sessions are stored by this hash of their id: a copy of the table lets nobody in. */
const sessionIdHash = (sid: string) => createHash('sha256').update(sid).digest('hex');

/** Account ids are the sources' user ids: printable, no whitespace, bounded. */
const ACCOUNT_ID = /^[\p{L}\p{N}._@+-]{1,128}$/u;

export class AccountError extends Error {
  override readonly name = 'AccountError';
}

export type SignInResult = { ok: true; accountId: string } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

export function createAccountService(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;
  const throttle = createSignInThrottle({ db, now });

  async function addUser(id: string, password: string): Promise<void> {
    if (!ACCOUNT_ID.test(id)) throw new AccountError(`invalid user id "${id}": use letters, digits and . _ @ + - (at most 128)`);
    if (password.length < 8) throw new AccountError('the password must have at least 8 characters');
    // A password would let anyone who learns it sign in as the upstream identity's account, past its provider.
    if (await upstreamIdentities.isUpstreamAccount(db, id))
      throw new AccountError(`user "${id}" signs in through the upstream provider and cannot have a password`);
    await accounts.upsertAccount(db, { id, password_hash: await hashPassword(password), created_at: now() });
  }

  /**
   * Checks a password sign-in from `clientIp`. The attempt is counted in the throttle (sign-in-throttle.ts)
   * before the password is checked, so parallel guesses cannot all be checked before any is counted.
   */
  async function signIn(id: string, password: string, clientIp: string): Promise<SignInResult> {
    const claimed = await throttle.claim(id, clientIp);
    if (!claimed.ok) return { ok: false, reason: 'throttled', retryAfterMs: Math.max(1000, claimed.retryAfterMs) };
    const account = ACCOUNT_ID.test(id) ? await accounts.findAccount(db, id) : undefined;
    const ok = account?.password_hash
      ? await verifyPassword(password, account.password_hash)
      : // Compared against when the account does not exist, so a miss costs as much time as a wrong password.
        (await verifyPassword(password, DECOY_PASSWORD_HASH), false);
    if (!ok) return { ok: false, reason: 'invalid' };
    await throttle.succeeded(id, clientIp);
    return { ok: true, accountId: id };
  }

  /**
   * The account an upstream identity signs in as (see docs/security.md, "Upstream sign-in"): the one linked to
   * its issuer and subject; on its first sign-in, the id its configured claim names, if no local password
   * account and no other upstream identity has it.
   */
  async function signInUpstream(identity: { issuer: string; subject: string; accountId: string }): Promise<string> {
    if (!ACCOUNT_ID.test(identity.accountId)) throw new AccountError(`the upstream provider's user id "${identity.accountId}" is not a valid account id`);
    const link = await upstreamIdentities.linkUpstreamIdentity(db, { ...identity, now: now() });
    if (link.ok) return link.accountId;
    throw new AccountError(
      link.reason === 'local-account'
        ? `upstream identity ${identity.subject} of ${identity.issuer} names "${identity.accountId}", a local password account: refused`
        : `upstream identity ${identity.subject} of ${identity.issuer} names "${identity.accountId}", which another upstream identity signs in as: refused`,
    );
  }

  /**
   * Starts an account page session for a signed-in user; returns its id (for the signed cookie). Only the id's
   * hash is stored, and the session is live only while its row is: sign-out and removing the user delete it.
   */
  async function startSession(accountId: string, lifetimeMs: number): Promise<string> {
    const sid = randomBytes(16).toString('base64url');
    const at = now();
    await accountSessions.insertSession(db, { id_hash: sessionIdHash(sid), account_id: accountId, created_at: at, expires_at: at + lifetimeMs });
    return sid;
  }

  async function sessionIsLive(accountId: string, sid: string): Promise<boolean> {
    return (await accountSessions.findLiveSession(db, sessionIdHash(sid), accountId, now())) !== undefined;
  }

  async function endSession(sid: string): Promise<void> {
    await accountSessions.deleteSession(db, sessionIdHash(sid));
  }

  async function exists(id: string): Promise<boolean> {
    return (await accounts.findAccount(db, id)) !== undefined;
  }

  async function listUsers(): Promise<{ id: string; password: boolean; created_at: string }[]> {
    return (await accounts.listAccounts(db)).map((a) => ({ id: a.id, password: a.password_hash !== null, created_at: new Date(a.created_at).toISOString() }));
  }

  /** Removes the user and ends their sessions: the account page's and the OAuth login sessions of their browsers. */
  async function removeUser(id: string): Promise<boolean> {
    await accountSessions.deleteSessionsOf(db, id);
    await oidcPayloads.deleteSessionsOfAccount(db, id);
    return accounts.deleteAccount(db, id);
  }

  return { addUser, signIn, startSession, sessionIsLive, endSession, signInUpstream, exists, listUsers, removeUser };
}

export type AccountService = ReturnType<typeof createAccountService>;
