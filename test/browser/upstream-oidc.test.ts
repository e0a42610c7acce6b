import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, catchRedirect, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService, createClientService, type RegisteredClient } from '../../src/auth/index.js';
import { googleClient, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl as authorizeUrlFor, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';
import { startUpstreamProvider, type UpstreamProvider, type UpstreamUser } from '../auth/upstream-provider.js';
import { runCli } from '../helpers/process.js';

// Sign-in through a second, real OpenID Connect provider that this test starts (the operator's own login),
// in real Chromium. Screenshots go to test-output/ (ignored by git).
const REDIRECT = 'http://localhost:9/callback';
const CALLBACK = '/oauth/upstream/callback';

const ZEYNEP: UpstreamUser = { sub: 'u-4f1c9a', email: 'zeynep@example.org', password: 'upstream password 1', name: 'Zeynep Kaya' };
const MALLORY: UpstreamUser = { sub: 'u-77aa01', email: 'ceo@example.org', password: 'upstream password 2', name: 'Mallory', emailVerified: false };
/** The provider leaves `email_verified` out of its answer. */
const INES: UpstreamUser = { sub: 'u-1b2c3d', email: 'ines@example.org', password: 'upstream password 3', name: 'Ines', emailVerified: null };
/** The provider sends `email_verified` as the string "true". */
const OMAR: UpstreamUser = { sub: 'u-9e8f7a', email: 'omar@example.org', password: 'upstream password 4', name: 'Omar', emailVerified: 'true' };
/** Verified upstream, and her address names a local password account in Dataport. */
const ADMIN: UpstreamUser = { sub: 'u-ad0001', email: 'admin@example.org', password: 'upstream password 5', name: 'Admin' };
/** A second upstream person who now holds Zeynep's address (reassigned), verified. */
const EVE: UpstreamUser = { sub: 'u-e0e0e0', email: ZEYNEP.email, password: 'upstream password 6', name: 'Eve' };

let upstream: UpstreamProvider;
/** Maps the upstream `sub` (the default). */
let bySub: TestDataport;
/** Maps the upstream `email` claim (DATAPORT_UPSTREAM_OIDC_CLAIM=email). */
let byEmail: TestDataport;
let browser: Browser;

beforeAll(async () => {
  upstream = await startUpstreamProvider([ZEYNEP, MALLORY, INES, OMAR, ADMIN, EVE]);
  const env = {
    DATAPORT_DEMO_RECORDS: '3',
    DATAPORT_UPSTREAM_OIDC_ISSUER: upstream.issuer,
    DATAPORT_UPSTREAM_OIDC_CLIENT_ID: upstream.clientId,
    DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET: upstream.clientSecret,
    DATAPORT_UPSTREAM_OIDC_NAME: 'Acme Login',
  };
  [bySub, byEmail] = await Promise.all([startDataport(env), startDataport({ ...env, DATAPORT_UPSTREAM_OIDC_CLAIM: 'email' })]);
  upstream.register([bySub.url + CALLBACK, byEmail.url + CALLBACK]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bySub?.close();
  await byEmail?.close();
  await upstream?.close();
});

async function givenClient(dp: TestDataport) {
  return createClientService({ db: dp.dataport.db, now: dp.clock.now }).addClient({ name: 'Test App', redirectUris: [REDIRECT], public: false });
}

const authorizeUrl = (dp: TestDataport, client: RegisteredClient, challenge: string) =>
  authorizeUrlFor(dp.url, client, {
    state: 'up1',
    scope: ['myactivity.search', 'chrome.history'].map(SCOPE).join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

/** From Dataport's sign-in page, through the upstream login, back to wherever Dataport sends the browser. */
async function signInUpstream(page: Page, user: UpstreamUser, shot?: string) {
  await page.getByRole('link', { name: 'Sign in with Acme Login' }).click();
  await page.getByRole('heading', { name: 'Acme staff login' }).waitFor();
  expect(new URL(page.url()).origin).toBe(upstream.issuer);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  if (shot) await page.screenshot({ path: path.join(SCREENSHOTS, shot), fullPage: true });
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Consent for every requested group, once; exchanges the code; returns the token response. */
async function consentAndExchange(dp: TestDataport, page: Page, client: RegisteredClient, verifier: string, expectedUser: string) {
  await page.getByRole('heading', { name: /Test App wants to copy/ }).waitFor();
  await expect(page.getByText(`Signed in as ${expectedUser}`).isVisible()).resolves.toBe(true);
  const redirected = catchRedirect(page, REDIRECT);
  await page.getByRole('button', { name: 'Allow' }).click();
  const back = await redirected;
  expect(back.searchParams.get('state')).toBe('up1');
  const tokens = await tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    client_secret: client.client_secret!,
    code_verifier: verifier,
  });
  expect(tokens.status).toBe(200);
  return tokens.body as { access_token: string };
}

/** After the upstream login: Dataport's error alert, or the account page it signed in to. */
async function outcome(page: Page): Promise<{ signedIn: false; alert: string } | { signedIn: true; as: string }> {
  const alert = page.getByRole('alert');
  const account = page.getByRole('heading', { name: 'Your apps and exports' });
  await alert.or(account).first().waitFor();
  if (await alert.isVisible()) return { signedIn: false, alert: await alert.innerText() };
  return { signedIn: true, as: await page.getByText(/^Signed in as /).innerText() };
}

/** Signs `user` in on `dp`'s account page, in a browser context of its own, and says how it ended. */
async function accountSignIn(dp: TestDataport, user: UpstreamUser) {
  const context = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await context.newPage();
    await page.goto(`${dp.url}/account`);
    await signInUpstream(page, user);
    return await outcome(page);
  } finally {
    await context.close();
  }
}

const REFUSED = { signedIn: false, alert: 'Signing in with Acme Login did not work. Try again.' };
const accountsOf = (dp: TestDataport) => createAccountService({ db: dp.dataport.db, now: dp.clock.now });

async function introspect(dp: TestDataport, client: RegisteredClient, token: string) {
  const res = await fetch(`${dp.url}/oauth/introspect`, {
    method: 'POST',
    body: new URLSearchParams({ token, client_id: client.client_id, client_secret: client.client_secret! }),
  });
  return (await res.json()) as { active: boolean; sub?: string };
}

describe('sign-in through the upstream OpenID Connect provider', () => {
  it("maps the upstream sub to the user id: consent, export through googleapis, and the export on that user's account page", async () => {
    const client = await givenClient(bySub);
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const pkce = pkcePair();

    await page.goto(authorizeUrl(bySub, client, pkce.challenge));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upstream-sign-in.png'), fullPage: true });
    await signInUpstream(page, ZEYNEP, 'upstream-provider-login.png');
    await page.getByRole('heading', { name: /Test App wants to copy/ }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upstream-consent.png'), fullPage: true });
    const tokens = await consentAndExchange(bySub, page, client, pkce.verifier, ZEYNEP.sub);

    // The grant belongs to the upstream sub: introspection says so, and the API serves that user's grant.
    expect(await introspect(bySub, client, tokens.access_token)).toMatchObject({ active: true, sub: ZEYNEP.sub });
    await expect(createAccountService({ db: bySub.dataport.db, now: bySub.clock.now }).exists(ZEYNEP.sub)).resolves.toBe(true);
    const api = googleClient(bySub.url, tokens.access_token);
    expect((await api.accessType.check({})).data).toEqual({ oneTimeResources: ['chrome.history', 'myactivity.search'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search', 'chrome.history'] } });
    expect(job.accessType).toBe('ACCESS_TYPE_ONE_TIME');
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');

    // The same browser is signed in to the account page as that user, and sees the app and the export.
    await page.goto(`${bySub.url}/account`);
    await page.getByRole('heading', { name: 'Your apps and exports' }).waitFor();
    await expect(page.getByText(`Signed in as ${ZEYNEP.sub}`).isVisible()).resolves.toBe(true);
    await expect(page.locator('li.app').count()).resolves.toBe(1);
    const history = page.locator('.history > li');
    await expect(history.count()).resolves.toBe(1);
    await expect(history.first().innerText()).resolves.toMatch(/Test App[\s\S]*Google Search activity[\s\S]*Complete/);
    await context.close();
  });

  it('maps a configured claim (email) to the user id, read from userinfo when the ID token does not carry it', async () => {
    const client = await givenClient(byEmail);
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const pkce = pkcePair();
    await page.goto(authorizeUrl(byEmail, client, pkce.challenge));
    await signInUpstream(page, ZEYNEP);
    const tokens = await consentAndExchange(byEmail, page, client, pkce.verifier, ZEYNEP.email);
    expect(await introspect(byEmail, client, tokens.access_token)).toMatchObject({ active: true, sub: ZEYNEP.email });
    const api = googleClient(byEmail.url, tokens.access_token);
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');
    // No account was made under the upstream's own id.
    await expect(createAccountService({ db: byEmail.dataport.db, now: byEmail.clock.now }).exists(ZEYNEP.sub)).resolves.toBe(false);
    await context.close();
  });

  it('the account page signs in through the upstream provider on its own, without an app asking', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${byEmail.url}/account`);
    await signInUpstream(page, ZEYNEP);
    await page.getByRole('heading', { name: 'Your apps and exports' }).waitFor();
    await expect(page.getByText(`Signed in as ${ZEYNEP.email}`).isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('an email the upstream provider has not verified is refused under the email mapping; no account, no session', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${byEmail.url}/account`);
    await signInUpstream(page, MALLORY);
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').innerText()).resolves.toBe('Signing in with Acme Login did not work. Try again.');
    await expect(createAccountService({ db: byEmail.dataport.db, now: byEmail.clock.now }).exists(MALLORY.email)).resolves.toBe(false);
    await page.goto(`${byEmail.url}/account`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('an ID token whose payload was changed after signing is refused (signature checked against the JWKS)', async () => {
    // Keeps the provider's signature, swaps the payload's sub: only a signature check can tell.
    upstream.tamperIdToken = (jwt) => {
      const [header, payload, signature] = jwt.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      claims.sub = 'someone-else';
      return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    };
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(`${bySub.url}/account`);
      await signInUpstream(page, ZEYNEP);
      await page.getByRole('alert').waitFor();
      await expect(page.getByRole('alert').innerText()).resolves.toBe('Signing in with Acme Login did not work. Try again.');
      await expect(createAccountService({ db: bySub.dataport.db, now: bySub.clock.now }).exists('someone-else')).resolves.toBe(false);
    } finally {
      upstream.tamperIdToken = undefined;
      await context.close();
    }
  });

  it('a callback without the state this browser started with gets a clear error and no session', async () => {
    const res = await fetch(`${bySub.url}${CALLBACK}?code=abc&state=forged`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('dp_account='))).toBe(false);
    expect(await res.text()).toContain('Signing in with Acme Login did not work.');
  });

  it('an email the provider leaves unverified by omission, or "verified" as a string, is refused under the email mapping', async () => {
    for (const user of [INES, OMAR]) {
      expect(await accountSignIn(byEmail, user)).toEqual(REFUSED);
      await expect(accountsOf(byEmail).exists(user.email)).resolves.toBe(false);
    }
  });

  it('an upstream identity whose claim names a local password account is refused; the local account keeps its password and only its password', async () => {
    await accountsOf(byEmail).addUser(ADMIN.email, 'local admin password');
    expect(await accountSignIn(byEmail, ADMIN)).toEqual(REFUSED);
    expect((await accountsOf(byEmail).listUsers()).find((u) => u.id === ADMIN.email)).toMatchObject({ password: true });
    await expect(accountsOf(byEmail).signIn(ADMIN.email, 'local admin password', '127.0.0.1')).resolves.toEqual({ ok: true, accountId: ADMIN.email });
  });

  it('an account is linked to the upstream issuer + subject that made it: another upstream person given the same address is refused', async () => {
    expect(await accountSignIn(byEmail, ZEYNEP)).toEqual({ signedIn: true, as: `Signed in as ${ZEYNEP.email}` });
    expect(await accountSignIn(byEmail, EVE)).toEqual(REFUSED);
    // And the first person still signs in as before.
    expect(await accountSignIn(byEmail, ZEYNEP)).toEqual({ signedIn: true, as: `Signed in as ${ZEYNEP.email}` });
  });

  it('`dataport users add` refuses a password for an account an upstream identity signs in as', async () => {
    expect(await accountSignIn(byEmail, ZEYNEP)).toEqual({ signedIn: true, as: `Signed in as ${ZEYNEP.email}` });
    const run = await runCli(['users', 'add', ZEYNEP.email], byEmail.env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`user "${ZEYNEP.email}" signs in through the upstream provider and cannot have a password`);
    expect((await accountsOf(byEmail).listUsers()).find((u) => u.id === ZEYNEP.email)).toMatchObject({ password: false });
  });

  it("ID tokens signed with the provider's own key are refused when nbf or iat lies ahead, iat is old, or aud/azp name another client", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, (claims: Record<string, unknown>) => Record<string, unknown>][] = [
      ['not valid yet (nbf)', (c) => ({ ...c, nbf: now + 600 })],
      ['issued in the future (iat)', (c) => ({ ...c, iat: now + 600 })],
      ['issued an hour ago (iat), still unexpired', (c) => ({ ...c, iat: now - 3600, exp: now + 600 })],
      ['several audiences, no azp', (c) => ({ ...c, aud: [upstream.clientId, 'another-app'] })],
      ['issued to another client (azp)', (c) => ({ ...c, aud: [upstream.clientId, 'another-app'], azp: 'another-app' })],
    ];
    try {
      // The same re-signing with the claims untouched signs in: the refusals below are the claims' doing.
      upstream.tamperIdToken = (jwt) => upstream.sign(decodeClaims(jwt));
      expect(await accountSignIn(bySub, ZEYNEP)).toEqual({ signedIn: true, as: `Signed in as ${ZEYNEP.sub}` });
      for (const [what, edit] of cases) {
        upstream.tamperIdToken = (jwt) => upstream.sign(edit(decodeClaims(jwt)));
        expect({ what, ...(await accountSignIn(bySub, ZEYNEP)) }).toEqual({ what, ...REFUSED });
      }
    } finally {
      upstream.tamperIdToken = undefined;
    }
  });
});

const decodeClaims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
