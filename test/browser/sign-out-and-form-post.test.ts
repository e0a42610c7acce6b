import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOTS, launchChromium } from '../helpers/browser.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl, givenClientAndUser, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';

const REDIRECT = 'http://localhost:9/callback';

let dp: TestDataport;
let browser: Browser;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await dp?.close();
});

/** Every document the page loads, in order: a page that submits itself shows up as a second one. */
function documentsOf(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'document') seen.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  return seen;
}

it('with response_mode=form_post the code reaches the app by a POST the CSP allows (its script by hash)', async () => {
  const { client, user, password } = await givenClientAndUser(dp, { redirectUri: REDIRECT });
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const posted = new Promise<URLSearchParams>((resolve) => {
    void page.route(`${REDIRECT}**`, async (route) => {
      resolve(new URLSearchParams(route.request().postData() ?? ''));
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' });
    });
  });
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  const pkce = pkcePair();
  await page.goto(
    authorizeUrl(dp.url, client, {
      scope: SCOPE('myactivity.search'),
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      response_mode: 'form_post',
    }),
  );
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  const form = await posted;
  expect(form.get('state')).toBe('xyz');
  const tokens = await tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code: form.get('code')!,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    client_secret: client.client_secret!,
    code_verifier: pkce.verifier,
  });
  expect(tokens.status).toBe(200);
  expect(blocked).toEqual([]);
  await context.close();
});

it('sign-out asks and waits for a click; without a session the page does not submit itself either', async () => {
  const { client, user, password } = await givenClientAndUser(dp, { redirectUri: REDIRECT });
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.route(`${REDIRECT}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' }));
  await page.goto(authorizeUrl(dp.url, client, { scope: SCOPE('myactivity.search'), code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${REDIRECT}**`);

  const documents = documentsOf(page);
  await page.goto(`${dp.url}/oauth/logout`, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { name: 'Sign out of Dataport?' }).waitFor();
  expect(documents).toEqual(['GET /oauth/logout']);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-out.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'You have signed out' }).waitFor();
  expect(documents).toEqual(['GET /oauth/logout', 'POST /oauth/logout/confirm', 'GET /oauth/logout/success']);
  expect((await context.cookies()).map((c) => c.name)).not.toContain('_session');

  // No session now: the provider's own page would have posted the sign-out by script at once.
  documents.length = 0;
  await page.goto(`${dp.url}/oauth/logout`, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { name: 'You are not signed in to Dataport' }).waitFor();
  expect(documents).toEqual(['GET /oauth/logout']);
  await context.close();
});
