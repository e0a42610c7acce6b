import { describe, expect, it } from 'vitest';
import { SIGN_IN_THROTTLE, claimAttempt, clientAddressKey, type BucketState } from '../../../src/auth/sign-in-throttle.js';

/** Claims `count` attempts at `at`, each one after the wait the previous one set; returns the waits. */
function waitsAfter(policy: (typeof SIGN_IN_THROTTLE)[keyof typeof SIGN_IN_THROTTLE], count: number): number[] {
  let state: BucketState | undefined;
  let at = 1_000_000;
  const waits: number[] = [];
  for (let i = 0; i < count; i++) {
    const claim = claimAttempt(state, policy, at);
    if (!claim.ok) throw new Error(`attempt ${i + 1} refused`);
    state = claim.next;
    const wait = Math.max(0, claim.next.nextAt - at);
    waits.push(wait);
    at += wait;
  }
  return waits;
}

describe('the sign-in throttle policy', () => {
  it('account + address: 5 free, then 1, 2, 4 … minutes, at most an hour', () => {
    const minutes = waitsAfter(SIGN_IN_THROTTLE.accountAndAddress, 14).map((ms) => ms / 60_000);
    expect(minutes).toEqual([0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
  });

  it('the account-wide ceiling only slows: 100 free, then one a second, never longer', () => {
    const waits = waitsAfter(SIGN_IN_THROTTLE.account, 150);
    expect(waits.slice(0, 99).every((w) => w === 0)).toBe(true);
    expect(waits.slice(99).every((w) => w === 1000)).toBe(true);
  });

  it('an attempt during the wait is refused with the time left and changes nothing', () => {
    const state = { attempts: 5, windowStart: 0, nextAt: 60_000 };
    expect(claimAttempt(state, SIGN_IN_THROTTLE.accountAndAddress, 45_000)).toEqual({ ok: false, retryAfterMs: 15_000 });
    expect(state).toEqual({ attempts: 5, windowStart: 0, nextAt: 60_000 });
  });

  it('a window starts afresh once it has passed', () => {
    const policy = SIGN_IN_THROTTLE.address;
    const claim = claimAttempt({ attempts: 70, windowStart: 0, nextAt: 10_000 }, policy, policy.windowMs);
    expect(claim).toMatchObject({ ok: true, next: { attempts: 1, windowStart: policy.windowMs, nextAt: 0, expiresAt: 2 * policy.windowMs } });
  });
});

describe('client addresses', () => {
  it('IPv4 counts as is, IPv4-mapped IPv6 as its IPv4, IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
  });
});
