import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_THROTTLE } from '../../src/auth/sign-in-throttle.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { scaledStackUnavailable } from '../helpers/scaled-stack.js';
import { CookieBrowser, SCOPE, authorizeUrl, givenClientAndUser, hidden } from './oauth-fixture.js';

// Each test uses its own loopback addresses (all of 127/8 reaches the server listening on 127.0.0.1), so the
// server sees separate clients and the tests' budgets do not mix.

const FREE = SIGN_IN_THROTTLE.accountAndAddress.freeAttempts;

/** A visitor of the account page: its sign-in form's CSRF token and pre-session cookie. */
async function accountVisitor(dp: TestDataport, from: string) {
  const browser = new CookieBrowser(from);
  const page = await (await browser.fetch(`${dp.url}/account`)).text();
  const csrf = hidden(page, 'csrf')!;
  const signIn = (user: string, password: string) => browser.postForm(`${dp.url}/account/login`, { csrf, user, password });
  return { browser, signIn };
}

/** Sends `count` sign-ins at once; returns the statuses. A 401 is a password that was checked and was wrong. */
async function burst(send: () => Promise<Response>, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const res = await send();
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

const stacks: ('embedded' | 'scaled')[] = ['embedded', ...(scaledStackUnavailable ? [] : ['scaled' as const])];

describe.each(stacks)('a burst of 100 parallel guesses (%s)', (stack) => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' }, {}, { stack });
  });
  afterAll(async () => dp?.close());

  it(`on /account/login: at most ${FREE} passwords are checked, and the right one sent within the burst is refused`, async () => {
    const { user, password } = await givenClientAndUser(dp);
    const visitor = await accountVisitor(dp, '127.0.0.11');
    const statuses: number[] = [];
    let sentRight: Promise<Response> | undefined;
    // 99 wrong guesses at once; the right password goes out once five answers are back (each one either a
    // checked guess or a refusal, so by then the budget is spent) while the rest are still in flight.
    const wrong = Array.from({ length: 99 }, async (_, i) => {
      const res = await visitor.signIn(user, `wrong guess ${i}`);
      await res.arrayBuffer();
      statuses.push(res.status);
      if (statuses.length === FREE) sentRight = visitor.signIn(user, password);
    });
    await Promise.all(wrong);
    const right = await sentRight!;
    expect(tally(statuses)).toEqual({ 401: FREE, 429: 99 - FREE });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(visitor.browser.has('dp_account')).toBe(false);
  });

  it(`on the OAuth sign-in: at most ${FREE} passwords are checked, and afterwards the right one is refused`, async () => {
    const { client, user, password } = await givenClientAndUser(dp);
    const browser = new CookieBrowser('127.0.0.12');
    const { res, url } = await browser.follow(authorizeUrl(dp.url, client, { scope: SCOPE('myactivity.search') }), dp.url);
    expect(url).toContain('/oauth/interaction/');
    const csrf = hidden(await res.text(), 'csrf')!;
    const login = `${url}/login`;
    const statuses = await burst(() => browser.postForm(login, { csrf, user, password: 'not it' }), 100);
    expect(tally(statuses)).toEqual({ 401: FREE, 429: 100 - FREE });
    const right = await browser.postForm(login, { csrf, user, password });
    expect(right.status).toBe(429);
  });
});

describe('the throttle lets nobody lock the owner out', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
  });
  afterAll(async () => dp?.close());

  it("a stranger's failed guesses (refused from their address) leave the owner's sign-in from another address working", async () => {
    const { user, password } = await givenClientAndUser(dp);
    const stranger = await accountVisitor(dp, '127.0.0.21');
    const statuses = [];
    for (let i = 0; i < FREE + 5; i++) statuses.push((await stranger.signIn(user, `guess ${i}`)).status);
    expect(tally(statuses)).toEqual({ 401: FREE, 429: 5 });
    const owner = await accountVisitor(dp, '127.0.0.22');
    const res = await owner.signIn(user, password);
    expect(res.status).toBe(303);
    expect(owner.browser.has('dp_account')).toBe(true);
  });

  it('one address backs off 1, 2, 4 minutes; guesses while waiting are refused and do not extend the wait', async () => {
    const { user, password } = await givenClientAndUser(dp);
    const guesser = await accountVisitor(dp, '127.0.0.23');
    for (let i = 0; i < FREE; i++) expect((await guesser.signIn(user, `guess ${i}`)).status).toBe(401);
    for (const minutes of [1, 2, 4]) {
      // The test clock stands still but for real time passing (a little, or more on a busy machine).
      const refused = await guesser.signIn(user, 'again');
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBeLessThanOrEqual(minutes * 60);
      expect(wait).toBeGreaterThan(minutes * 60 - 30);
      // Hammering during the wait changes nothing: the wait is not renewed (the right password is refused too).
      const again = await guesser.signIn(user, password);
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(wait);
      dp.clock.advance(minutes * 60_000);
      expect((await guesser.signIn(user, 'after the wait')).status).toBe(401);
    }
    // A wait is over when it is over: the right password then signs in, and the budget starts afresh.
    dp.clock.advance(8 * 60_000);
    expect((await guesser.signIn(user, password)).status).toBe(303);
    expect((await guesser.signIn(user, 'typo')).status).toBe(401);
  });

  it(`one address guessing over many accounts is stopped after ${SIGN_IN_THROTTLE.address.freeAttempts} checks, even in parallel`, async () => {
    const sprayer = await accountVisitor(dp, '127.0.0.24');
    let n = 0;
    const statuses = await burst(() => sprayer.signIn(`someone-${n++}`, 'Password1!'), SIGN_IN_THROTTLE.address.freeAttempts + 10);
    expect(tally(statuses)).toEqual({ 401: SIGN_IN_THROTTLE.address.freeAttempts, 429: 10 });
    // The same address is refused for an account it never tried; another address is not.
    expect((await sprayer.signIn('someone-new', 'x')).status).toBe(429);
    const { user, password } = await givenClientAndUser(dp);
    expect((await (await accountVisitor(dp, '127.0.0.25')).signIn(user, password)).status).toBe(303);
  });
});

describe('sign-in records', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
  });
  afterAll(async () => dp?.close());

  it('are deleted once their window has passed: the table does not grow with every failure', async () => {
    const { user } = await givenClientAndUser(dp);
    const rows = () => dp.dataport.db.selectFrom('sign_in_throttle').select('key').execute();
    for (const from of ['127.0.0.31', '127.0.0.32', '127.0.0.33']) {
      const visitor = await accountVisitor(dp, from);
      for (let i = 0; i < 3; i++) expect((await visitor.signIn(user, `guess ${i}`)).status).toBe(401);
    }
    // One bucket for the account, one per address, one per account and address.
    expect((await rows()).length).toBe(1 + 3 + 3);
    dp.clock.advance(24 * 3_600_000 + 1);
    expect((await (await accountVisitor(dp, '127.0.0.34')).signIn('another-user', 'guess')).status).toBe(401);
    expect((await rows()).map((r) => r.key).sort()).toEqual(['a:another-user', 'ai:another-user 127.0.0.34', 'i:127.0.0.34']);
  });
});
