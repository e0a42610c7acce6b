import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccountService } from '../../src/auth/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, hidden, pkcePair } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp?.close());

const isAccountPage = (page: string) => page.includes('action="/account/logout"');
const isSignInPage = (page: string) => page.includes('name="password"');

/** Signs in through an app's consent (which also signs in to the account page); returns the browser. */
async function signedInThroughConsent() {
  const fixture = await givenClientAndUser(dp);
  const browser = new CookieBrowser();
  const pkce = pkcePair();
  const authorize = () =>
    authorizeUrl(dp.url, fixture.client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  const back = await consentWithoutBrowser(dp.url, authorize(), fixture, { groups: ['myactivity.search'], access: 'once' }, browser);
  expect(back.searchParams.get('code')).toBeTruthy();
  return { ...fixture, browser, authorize };
}

it('after sign-out, a saved account cookie is refused and the OAuth session no longer skips the sign-in', async () => {
  const { browser, authorize } = await signedInThroughConsent();
  const page = await (await browser.fetch(`${dp.url}/account`)).text();
  expect(isAccountPage(page)).toBe(true);
  // Before signing out: the app's next authorization goes straight to consent (the OAuth session stands).
  const before = await browser.copy().follow(authorize(), dp.url);
  expect(isSignInPage(await before.res.text())).toBe(false);

  const saved = browser.copy();
  const csrf = hidden(page, 'csrf')!;
  const out = await browser.postForm(`${dp.url}/account/logout`, { csrf });
  expect(out.status).toBe(303);
  expect(browser.has('dp_account')).toBe(false);

  // The saved cookies, replayed: no account page, no revoking apps, and the app's authorization asks for a sign-in.
  expect(isSignInPage(await (await saved.fetch(`${dp.url}/account`)).text())).toBe(true);
  const revoke = await saved.postForm(`${dp.url}/account/revoke`, { csrf, client_id: 'any' });
  expect(revoke.status).toBe(403);
  const after = await saved.follow(authorize(), dp.url);
  expect(after.url).toContain('/oauth/interaction/');
  expect(isSignInPage(await after.res.text())).toBe(true);
});

it('removing the user ends their sessions: the account page and the OAuth session both ask for a sign-in', async () => {
  const { user, browser, authorize } = await signedInThroughConsent();
  expect(isAccountPage(await (await browser.fetch(`${dp.url}/account`)).text())).toBe(true);
  // The removal as `dataport users remove` makes it.
  expect(await createAccountService({ db: dp.dataport.db, now: dp.clock.now }).removeUser(user)).toBe(true);
  expect(isSignInPage(await (await browser.fetch(`${dp.url}/account`)).text())).toBe(true);
  const removed = await browser.follow(authorize(), dp.url);
  expect(removed.url).toContain('/oauth/interaction/');
  expect(isSignInPage(await removed.res.text())).toBe(true);
  // The user added again under the same name does not inherit the old sessions either.
  await createAccountService({ db: dp.dataport.db, now: dp.clock.now }).addUser(user, 'a new password 1');
  expect(isSignInPage(await (await browser.fetch(`${dp.url}/account`)).text())).toBe(true);
});

it('account sessions are stored by the sha256 of their id, never the id the cookie carries', async () => {
  const { browser } = await signedInThroughConsent();
  const [data] = browser.cookie('dp_account')!.split('.');
  const { sid } = JSON.parse(Buffer.from(data!, 'base64url').toString('utf8')) as { sid: string };
  const rows = await dp.dataport.db.selectFrom('account_sessions').select('id_hash').execute();
  expect(rows.map((r) => r.id_hash)).toContain(createHash('sha256').update(sid).digest('hex'));
  expect(JSON.stringify(rows)).not.toContain(sid);
});

it("signing out at the OAuth provider's page (/oauth/logout) ends the account page session too", async () => {
  const fixture = await givenClientAndUser(dp);
  const browser = new CookieBrowser();
  // Signed in on the account page, then through an app's sign-in and consent, in the same browser.
  const signIn = await (await browser.fetch(`${dp.url}/account`)).text();
  expect((await browser.postForm(`${dp.url}/account/login`, { csrf: hidden(signIn, 'csrf')!, user: fixture.user, password: fixture.password })).status).toBe(
    303,
  );
  const pkce = pkcePair();
  const authorize = () =>
    authorizeUrl(dp.url, fixture.client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  const back = await consentWithoutBrowser(dp.url, authorize(), fixture, { groups: ['myactivity.search'], access: 'once' }, browser);
  expect(back.searchParams.get('code')).toBeTruthy();
  expect(isAccountPage(await (await browser.fetch(`${dp.url}/account`)).text())).toBe(true);
  const saved = browser.copy();

  const logout = await (await browser.fetch(`${dp.url}/oauth/logout`)).text();
  const confirmed = await browser.postForm(`${dp.url}/oauth/logout/confirm`, { xsrf: hidden(logout, 'xsrf')!, logout: 'yes' });
  expect(confirmed.status).toBe(303);
  expect(browser.has('dp_account')).toBe(false);

  // The saved cookies, replayed: the account page asks for a sign-in, and so does the app's next authorization.
  expect(isSignInPage(await (await saved.fetch(`${dp.url}/account`)).text())).toBe(true);
  const after = await saved.follow(authorize(), dp.url);
  expect(after.url).toContain('/oauth/interaction/');
  expect(isSignInPage(await after.res.text())).toBe(true);
});

it('"stay signed in" at /oauth/logout ends neither session', async () => {
  const fixture = await givenClientAndUser(dp);
  const browser = new CookieBrowser();
  const pkce = pkcePair();
  const authorize = () =>
    authorizeUrl(dp.url, fixture.client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  await consentWithoutBrowser(dp.url, authorize(), fixture, { groups: ['myactivity.search'], access: 'once' }, browser);
  const logout = await (await browser.fetch(`${dp.url}/oauth/logout`)).text();
  expect((await browser.postForm(`${dp.url}/oauth/logout/confirm`, { xsrf: hidden(logout, 'xsrf')! })).status).toBe(303);
  expect(isAccountPage(await (await browser.fetch(`${dp.url}/account`)).text())).toBe(true);
});
