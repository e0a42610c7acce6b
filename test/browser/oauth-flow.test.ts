import path from 'node:path';
import type { Browser } from 'playwright-core';
import { SCREENSHOTS, catchRedirect, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RegisteredClient } from '../../src/auth/index.js';
import { googleClient, googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl as authorizeUrlFor, givenClientAndUser, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';

// Screenshots for people to look at; test-output/ is ignored by git.
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

const authorizeUrl = (client: RegisteredClient, challenge: string, extra: Record<string, string> = {}) =>
  authorizeUrlFor(dp.url, client, {
    access_type: 'offline',
    state: 's1',
    scope: ['myactivity.search', 'chrome.history', 'play.installs'].map(SCOPE).join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

it('sign in, grant two of three groups for 30 days, export through googleapis, refresh, then revoke on the account page', async () => {
  const { client, user, password } = await givenClientAndUser(dp, { redirectUri: REDIRECT, user: 'ayse' });
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const pkce = pkcePair();

  // Sign in.
  await page.goto(authorizeUrl(client, pkce.challenge));
  await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in.png'), fullPage: true });
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // Consent: untick one of the three groups, choose 30 days, approve.
  await page.getByRole('heading', { name: /Test App wants to copy/ }).waitFor();
  const groups = page.getByRole('checkbox');
  expect(await groups.count()).toBe(3);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'consent.png'), fullPage: true });
  await page.getByRole('checkbox', { name: /Google Play Store app installations/ }).uncheck();
  await page.getByRole('radio', { name: /For 30 days/ }).check();
  const redirected = catchRedirect(page, REDIRECT);
  await page.getByRole('button', { name: 'Allow' }).click();
  const back = await redirected;
  expect(back.searchParams.get('state')).toBe('s1');

  // Exchange the code with PKCE.
  const tokens = await tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    client_secret: client.client_secret!,
    code_verifier: pkce.verifier,
  });
  expect(tokens.status).toBe(200);
  expect(tokens.body.refresh_token).toBeTruthy();
  expect(tokens.body.refresh_token_expires_in).toBeGreaterThan(2592000 - 600);

  // The API, through Google's client: time-based, and only the granted groups.
  const api = googleClient(dp.url, tokens.body.access_token);
  const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search', 'chrome.history'] } });
  expect(job.accessType).toBe('ACCESS_TYPE_TIME_BASED');
  expect((await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } }))).status).toBe(403);
  const state = await waitForState(api, job.archiveJobId!);
  expect(state.state).toBe('COMPLETE');
  const archive = await fetch(state.urls![0]!);
  expect(archive.status).toBe(200);
  expect(
    Buffer.from(await archive.arrayBuffer())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');

  // Refresh the token.
  const refreshed = await tokenRequest(dp.url, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token,
    client_id: client.client_id,
    client_secret: client.client_secret!,
  });
  expect(refreshed.status).toBe(200);
  const fresh = googleClient(dp.url, refreshed.body.access_token);
  expect((await fresh.accessType.check({})).data).toEqual({ timeBasedResources: ['chrome.history', 'myactivity.search'] });

  // The consent page in Turkish (hl=tr); the browser is signed in, so it goes straight to consent.
  await page.goto(authorizeUrl(client, pkcePair().challenge, { hl: 'tr' }));
  await page.getByRole('heading', { name: /verilerinizin bir kısmını kopyalamak istiyor/ }).waitFor();
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('tr');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'consent-tr.png'), fullPage: true });

  // The account page: the app with its groups, access and expiry; the export history; revoke.
  await page.goto(`${dp.url}/account`);
  await page.getByRole('heading', { name: 'Your apps and exports' }).waitFor();
  const apps = page.locator('li.app');
  await expect(apps.count()).resolves.toBe(1);
  await expect(apps.first().innerText()).resolves.toMatch(/Test App[\s\S]*For 30 days[\s\S]*Google Search activity/);
  // The history: one card per export, with the groups' descriptions (names as secondary text), state and download.
  const exports = page.locator('.history > li');
  await expect(exports.count()).resolves.toBe(1);
  const card = await exports.first().innerText();
  expect(card).toMatch(/Test App[\s\S]*Google Search activity[\s\S]*myactivity\.search[\s\S]*Complete/);
  expect(card).not.toContain('Not downloaded');
  // On a phone the date stays on one line (it used to wrap into five in a table column).
  const when = page.locator('.history time').first();
  const box = await when.boundingBox();
  const oneLine = await page.locator('.history dt').first().boundingBox();
  expect(box!.height).toBeLessThan(oneLine!.height * 1.5);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'account.png'), fullPage: true });
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'account-wide.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Remove access for Test App' }).click();
  await page.getByRole('status').waitFor();
  await expect(page.locator('li.app').count()).resolves.toBe(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'account-after-revoke.png'), fullPage: true });

  // The API now refuses both the first and the refreshed token, and the refresh token is dead.
  expect((await googleErrorOf(fresh.accessType.check({}))).status).toBe(401);
  expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
  const again = await tokenRequest(dp.url, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token,
    client_id: client.client_id,
    client_secret: client.client_secret!,
  });
  expect(again.body.error).toBe('invalid_grant');
  await context.close();
});
