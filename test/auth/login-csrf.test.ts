import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, givenClientAndUser, hidden } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp?.close());

async function visitor() {
  const browser = new CookieBrowser();
  const page = await (await browser.fetch(`${dp.url}/account`)).text();
  return { browser, csrf: hidden(page, 'csrf')! };
}

it("the account page's sign-in token taken from one visitor is refused for another (login CSRF)", async () => {
  const { user, password } = await givenClientAndUser(dp);
  const attacker = await visitor();
  const victim = await visitor();
  expect(attacker.csrf).not.toBe(victim.csrf);
  // An attacker's page makes the victim's browser post the attacker's credentials with the attacker's token.
  const forged = await victim.browser.postForm(`${dp.url}/account/login`, { csrf: attacker.csrf, user, password });
  expect(forged.status).toBe(403);
  expect(victim.browser.has('dp_account')).toBe(false);
  // Without the pre-session cookie at all, too.
  const bare = await fetch(`${dp.url}/account/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ csrf: victim.csrf, user, password }) });
  expect(bare.status).toBe(403);
  // The visitor's own token works.
  const own = await victim.browser.postForm(`${dp.url}/account/login`, { csrf: victim.csrf, user, password });
  expect(own.status).toBe(303);
  expect(victim.browser.has('dp_account')).toBe(true);
});

it('a refused sign-in keeps the visitor on the same pre-session: the form it shows works', async () => {
  const { user, password } = await givenClientAndUser(dp);
  const v = await visitor();
  const wrong = await v.browser.postForm(`${dp.url}/account/login`, { csrf: v.csrf, user, password: 'wrong password' });
  expect(wrong.status).toBe(401);
  const csrf = hidden(await wrong.text(), 'csrf')!;
  expect(csrf).toBe(v.csrf);
  expect((await v.browser.postForm(`${dp.url}/account/login`, { csrf, user, password })).status).toBe(303);
});
