import { isIPv6 } from 'node:net';
import { signInThrottle, type Db } from '../store/index.js';

/**
 * How many password checks a bucket allows, and how it slows down after that.
 *
 * A bucket counts attempts from `windowStart`; the first `freeAttempts` in a window are checked at once. The
 * attempt that uses the last free one sets a wait of `firstDelayMs` before the next, and every attempt after
 * that multiplies the wait by `growth`, up to `maxDelayMs`. A window starts afresh `windowMs` after it began.
 * An attempt refused for waiting changes nothing, so hammering a bucket does not prolong its wait.
 */
export interface ThrottlePolicy {
  freeAttempts: number;
  firstDelayMs: number;
  growth: number;
  maxDelayMs: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The three buckets every password sign-in (the account page and the OAuth interaction alike) must claim
 * *before* its password is checked. A sign-in is checked only if all three have room.
 *
 * - **account + client address: 5 free, then 1, 2, 4, … minutes, at most an hour; a day's window.** The budget
 *   that stops guessing. Someone who mistypes five times waits a minute; one address guessing at one account
 *   gets about 30 checks a day. Being per address, a stranger's guesses never touch the owner's budget (the
 *   old throttle refused the owner for 15 minutes after anyone's 5 failures, renewable forever). A successful
 *   sign-in clears it.
 * - **client address: 50 free an hour, then 1, 2, 4 … minutes, at most an hour.** Stops one address spraying
 *   one password over many accounts, which the per-account budget cannot see (without it, 5 checks per
 *   account name, unbounded names). 50 failures an hour leaves room for an office behind one NAT: a successful
 *   sign-in gives its attempt back, so only failures use it up. IPv6 addresses count by their /64, which is
 *   what one subscriber usually holds.
 * - **account, from anywhere: 100 free an hour, then one check a second — no growth.** A ceiling on guesses
 *   spread over many addresses (a botnet), at most 3,600 an hour instead of unbounded. It only slows: under
 *   such an attack the owner is asked to wait a second, never locked out for longer.
 *
 * The client address is Fastify's `request.ip`: behind a reverse proxy it is the proxy's unless
 * DATAPORT_TRUST_PROXY says to take X-Forwarded-For; otherwise every user shares the proxy's address budget.
 */
export const SIGN_IN_THROTTLE = Object.freeze({
  accountAndAddress: { freeAttempts: 5, firstDelayMs: MINUTE, growth: 2, maxDelayMs: HOUR, windowMs: 24 * HOUR },
  address: { freeAttempts: 50, firstDelayMs: MINUTE, growth: 2, maxDelayMs: HOUR, windowMs: HOUR },
  account: { freeAttempts: 100, firstDelayMs: 1000, growth: 1, maxDelayMs: 1000, windowMs: HOUR },
} satisfies Record<string, ThrottlePolicy>);

export interface BucketState {
  attempts: number;
  windowStart: number;
  nextAt: number;
}

export type Claim = { ok: true; next: BucketState & { expiresAt: number } } | { ok: false; retryAfterMs: number };

/** Whether one more attempt may be checked now, and the bucket's state if it is. Pure: the policy in one place. */
export function claimAttempt(state: BucketState | undefined, policy: ThrottlePolicy, now: number): Claim {
  if (state && state.nextAt > now) return { ok: false, retryAfterMs: state.nextAt - now };
  const fresh = !state || now - state.windowStart >= policy.windowMs;
  const attempts = (fresh ? 0 : state.attempts) + 1;
  const windowStart = fresh ? now : state.windowStart;
  const over = attempts - policy.freeAttempts;
  const nextAt = over < 0 ? 0 : now + Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.growth ** over);
  return { ok: true, next: { attempts, windowStart, nextAt, expiresAt: Math.max(windowStart + policy.windowMs, nextAt) } };
}

/**
 * The address a client is counted under: IPv4 as is (also when written IPv4-mapped), IPv6 by its /64.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Claims attempts in the sign-in buckets, atomically per bucket, across every process on the database. */
export function createSignInThrottle(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;
  /** Bounds the compare-and-set retries of one claim; contention past it is answered as a short wait. */
  const MAX_ROUNDS = 32;

  function keysFor(accountId: string, clientIp: string) {
    const address = clientAddressKey(clientIp);
    const account = accountId.slice(0, 128);
    return {
      accountAndAddress: { key: `ai:${account} ${address}`, policy: SIGN_IN_THROTTLE.accountAndAddress },
      address: { key: `i:${address}`, policy: SIGN_IN_THROTTLE.address },
      account: { key: `a:${account}`, policy: SIGN_IN_THROTTLE.account },
    };
  }

  const stateOf = (row: signInThrottle.ThrottleRow | undefined): BucketState | undefined =>
    row && { attempts: row.attempts, windowStart: Number(row.window_start), nextAt: Number(row.next_at) };

  type Claimed = { ok: true; previous: signInThrottle.ThrottleRow | undefined; version: number } | { ok: false; retryAfterMs: number };

  async function claim(key: string, policy: ThrottlePolicy): Promise<Claimed> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const row = await signInThrottle.findBucket(db, key);
      const at = now();
      const decision = claimAttempt(stateOf(row), policy, at);
      if (!decision.ok) return decision;
      const next = {
        key,
        attempts: decision.next.attempts,
        window_start: decision.next.windowStart,
        next_at: decision.next.nextAt,
        expires_at: decision.next.expiresAt,
        version: (row?.version ?? 0) + 1,
      };
      if (row ? await signInThrottle.replaceBucket(db, row.version, next) : await signInThrottle.insertBucket(db, next)) {
        // Pruned as new keys arrive, so the table holds at most a window's worth of keys even where no
        // maintenance pass runs (an API-only process).
        if (!row) await signInThrottle.deleteExpiredBuckets(db, at);
        return { ok: true, previous: row, version: next.version };
      }
    }
    return { ok: false, retryAfterMs: 1000 };
  }

  return {
    /**
     * Counts one attempt in every bucket, before the password is checked; refuses (and counts nothing more)
     * when any bucket has no room. Looking at all buckets first means an attempt refused by one bucket is not
     * charged to the others: a stranger's refused guesses never use the account-wide ceiling's room.
     */
    async claim(accountId: string, clientIp: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
      const keys = keysFor(accountId, clientIp);
      // The tightest budget first: in a burst it refuses the most before the others are touched.
      const buckets = [keys.accountAndAddress, keys.address, keys.account];
      const at = now();
      let waitMs = 0;
      for (const b of buckets) {
        const peek = claimAttempt(stateOf(await signInThrottle.findBucket(db, b.key)), b.policy, at);
        if (!peek.ok) waitMs = Math.max(waitMs, peek.retryAfterMs);
      }
      if (waitMs > 0) return { ok: false, retryAfterMs: waitMs };
      const done: { key: string; previous: signInThrottle.ThrottleRow | undefined; version: number }[] = [];
      for (const b of buckets) {
        const claimed = await claim(b.key, b.policy);
        if (!claimed.ok) {
          // Lost a race to a bucket filling up: give back what this attempt took, where nobody has claimed since.
          for (const d of done) await signInThrottle.restoreBucket(db, d.key, d.version, d.previous);
          return claimed;
        }
        done.push({ key: b.key, previous: claimed.previous, version: claimed.version });
      }
      return { ok: true };
    },
    /** After a correct password: the account + address budget starts over, and the address gets its attempt back. */
    async succeeded(accountId: string, clientIp: string): Promise<void> {
      const { accountAndAddress, address } = keysFor(accountId, clientIp);
      await signInThrottle.deleteBucket(db, accountAndAddress.key);
      await signInThrottle.refundAttempt(db, address.key);
    },
  };
}
