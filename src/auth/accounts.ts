import { accounts, upstreamIdentities, type Db } from '../store/index.js';
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';

/**
 * Sign-in throttle: after this many failures for one account within the window, further attempts are refused
 * (without checking the password) until the oldest failure leaves the window. Five tries per 15 minutes is
 * ~480 guesses a day: harmless for a person who mistyped, useless for guessing a decent password.
 */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

/** Account ids are the sources' user ids: printable, no whitespace, bounded. */
const ACCOUNT_ID = /^[\p{L}\p{N}._@+-]{1,128}$/u;

export class AccountError extends Error {
  override readonly name = 'AccountError';
}

export type SignInResult =
  | { ok: true; accountId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export function createAccountService(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;

  async function addUser(id: string, password: string): Promise<void> {
    if (!ACCOUNT_ID.test(id)) throw new AccountError(`invalid user id "${id}": use letters, digits and . _ @ + - (at most 128)`);
    if (password.length < 8) throw new AccountError('the password must have at least 8 characters');
    // A password would let anyone who learns it sign in as the upstream identity's account, past its provider.
    if (await upstreamIdentities.isUpstreamAccount(db, id)) throw new AccountError(`user "${id}" signs in through the upstream provider and cannot have a password`);
    await accounts.upsertAccount(db, { id, password_hash: await hashPassword(password), created_at: now() });
  }

  async function signIn(id: string, password: string): Promise<SignInResult> {
    const at = now();
    const failures = await accounts.countSignInFailuresSince(db, id, at - FAILURE_WINDOW_MS);
    if (failures.count >= MAX_FAILURES) {
      return { ok: false, reason: 'throttled', retryAfterMs: Math.max(1000, (failures.oldest ?? at) + FAILURE_WINDOW_MS - at) };
    }
    const account = ACCOUNT_ID.test(id) ? await accounts.findAccount(db, id) : undefined;
    const ok = account?.password_hash
      ? await verifyPassword(password, account.password_hash)
      // Compared against when the account does not exist, so a miss costs as much time as a wrong password.
      : (await verifyPassword(password, DECOY_PASSWORD_HASH), false);
    if (!ok) {
      await accounts.recordSignInFailure(db, id.slice(0, 128), at);
      return { ok: false, reason: 'invalid' };
    }
    await accounts.clearSignInFailures(db, id);
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
    throw new AccountError(link.reason === 'local-account'
      ? `upstream identity ${identity.subject} of ${identity.issuer} names "${identity.accountId}", a local password account: refused`
      : `upstream identity ${identity.subject} of ${identity.issuer} names "${identity.accountId}", which another upstream identity signs in as: refused`);
  }

  async function exists(id: string): Promise<boolean> {
    return (await accounts.findAccount(db, id)) !== undefined;
  }

  async function listUsers(): Promise<{ id: string; password: boolean; created_at: string }[]> {
    return (await accounts.listAccounts(db)).map((a) => ({ id: a.id, password: a.password_hash !== null, created_at: new Date(a.created_at).toISOString() }));
  }

  async function removeUser(id: string): Promise<boolean> {
    return accounts.deleteAccount(db, id);
  }

  return { addUser, signIn, signInUpstream, exists, listUsers, removeUser };
}

export type AccountService = ReturnType<typeof createAccountService>;
