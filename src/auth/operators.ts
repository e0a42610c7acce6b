import { createHash, randomBytes } from 'node:crypto';
import { operatorsSql, type Db } from '../store/index.js';
import { AccountError, type SignInResult } from './accounts.js';
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';
import { createSignInThrottle } from './sign-in-throttle.js';

/** Stored by this hash of their id, like the account page's sessions. */
const sessionIdHash = (sid: string) => createHash('sha256').update(sid).digest('hex');

/** Operator ids: the same alphabet as account ids. */
const OPERATOR_ID = /^[\p{L}\p{N}._@+-]{1,128}$/u;
/** Operators can revoke anyone's grants: a longer minimum than end users'. */
const MIN_PASSWORD = 12;

/**
 * Operators of the console (`/admin`): their own accounts (`dataport operators add`) and sessions, apart from
 * end users'. Password sign-ins share the end users' throttle policy (auth/sign-in-throttle.ts) under keys of
 * their own (`op:<id>`), so guessing at an operator costs what guessing at a user does, and neither budget
 * touches the other.
 */
export function createOperatorService(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;
  const throttle = createSignInThrottle({ db, now });
  const throttleKey = (id: string) => `op:${id}`;

  async function addOperator(id: string, password: string): Promise<void> {
    if (!OPERATOR_ID.test(id)) throw new AccountError(`invalid operator id "${id}": use letters, digits and . _ @ + - (at most 128)`);
    if (password.length < MIN_PASSWORD) throw new AccountError(`an operator's password must have at least ${MIN_PASSWORD} characters`);
    await operatorsSql.upsertOperator(db, { id, password_hash: await hashPassword(password), created_at: now() });
  }

  async function signIn(id: string, password: string, clientIp: string): Promise<SignInResult> {
    const claimed = await throttle.claim(throttleKey(id), clientIp);
    if (!claimed.ok) return { ok: false, reason: 'throttled', retryAfterMs: Math.max(1000, claimed.retryAfterMs) };
    const operator = OPERATOR_ID.test(id) ? await operatorsSql.findOperator(db, id) : undefined;
    const ok = operator
      ? await verifyPassword(password, operator.password_hash)
      : // A miss costs as much time as a wrong password, so timing does not tell which ids exist.
        (await verifyPassword(password, DECOY_PASSWORD_HASH), false);
    if (!ok) return { ok: false, reason: 'invalid' };
    await throttle.succeeded(throttleKey(id), clientIp);
    return { ok: true, accountId: id };
  }

  async function startSession(operatorId: string, method: 'password' | 'oidc', lifetimeMs: number): Promise<string> {
    const sid = randomBytes(16).toString('base64url');
    const at = now();
    await operatorsSql.insertOperatorSession(db, { id_hash: sessionIdHash(sid), operator_id: operatorId, method, created_at: at, expires_at: at + lifetimeMs });
    return sid;
  }

  async function sessionIsLive(operatorId: string, sid: string): Promise<boolean> {
    return (await operatorsSql.findLiveOperatorSession(db, sessionIdHash(sid), operatorId, now())) !== undefined;
  }

  async function endSession(sid: string): Promise<void> {
    await operatorsSql.deleteOperatorSession(db, sessionIdHash(sid));
  }

  async function listOperators(): Promise<{ id: string; created_at: string }[]> {
    return (await operatorsSql.listOperators(db)).map((o) => ({ id: o.id, created_at: new Date(Number(o.created_at)).toISOString() }));
  }

  /** Removes the operator and ends their console sessions. */
  async function removeOperator(id: string): Promise<boolean> {
    return operatorsSql.deleteOperator(db, id);
  }

  return { addOperator, signIn, startSession, sessionIsLive, endSession, listOperators, removeOperator };
}

export type OperatorService = ReturnType<typeof createOperatorService>;
