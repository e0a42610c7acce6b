import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSql } from '../../src/store/index.js';
import { launchChromium } from '../helpers/browser.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { startUpstreamProvider, type UpstreamProvider, type UpstreamUser } from '../auth/upstream-provider.js';

// Operators signing in to the console at the upstream OpenID Connect provider (DATAPORT_ADMIN_OIDC_CLAIM), in
// real Chromium: the claim lets one in, its absence is refused without a session, and an end user's upstream
// sign-in is not an operator's. The end users' own upstream sign-in is test/browser/upstream-oidc.test.ts.
const ADMIN_CALLBACK = '/admin/upstream/callback';
const USER_CALLBACK = '/oauth/upstream/callback';

/** In the operators' group (among others: the claim is an array). */
const DENIZ: UpstreamUser = {
  sub: 'u-0de412',
  email: 'deniz@example.org',
  password: 'upstream password 1',
  name: 'Deniz',
  groups: ['staff', 'dataport-admins'],
};
/** Staff, not an operator. */
const KEMAL: UpstreamUser = { sub: 'u-0ce3a1', email: 'kemal@example.org', password: 'upstream password 2', name: 'Kemal', groups: ['staff'] };
/** No groups claim at all. */
const LEYLA: UpstreamUser = { sub: 'u-0aa7b2', email: 'leyla@example.org', password: 'upstream password 3', name: 'Leyla' };

let upstream: UpstreamProvider;
let dp: TestDataport;
let browser: Browser;

beforeAll(async () => {
  upstream = await startUpstreamProvider([DENIZ, KEMAL, LEYLA]);
  // The end users' claim is the default (`sub`): the operators' claim must come all the same.
  dp = await startDataport({
    DATAPORT_DEMO_RECORDS: '3',
    DATAPORT_UPSTREAM_OIDC_ISSUER: upstream.issuer,
    DATAPORT_UPSTREAM_OIDC_CLIENT_ID: upstream.clientId,
    DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET: upstream.clientSecret,
    DATAPORT_UPSTREAM_OIDC_NAME: 'Acme Login',
    DATAPORT_ADMIN_OIDC_CLAIM: 'groups=dataport-admins',
  });
  upstream.register([dp.url + ADMIN_CALLBACK, dp.url + USER_CALLBACK]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await dp?.close();
  await upstream?.close();
});

/** Through the upstream login page as `user`, from a Dataport page's "Sign in with Acme Login". */
async function upstreamLogin(page: Page, user: UpstreamUser) {
  await page.getByRole('link', { name: 'Sign in with Acme Login' }).click();
  await page.getByRole('heading', { name: 'Acme staff login' }).waitFor();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Signs `user` in at /admin through the provider; the context, and the callback's HTTP status. */
async function consoleSignIn(user: UpstreamUser): Promise<{ context: BrowserContext; page: Page; status: number }> {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${dp.url}/admin`);
  const callback = page.waitForResponse((r) => new URL(r.url()).pathname === ADMIN_CALLBACK);
  await upstreamLogin(page, user);
  const status = (await callback).status();
  await page.waitForLoadState();
  return { context, page, status };
}

const consoleCookie = async (context: BrowserContext) => (await context.cookies(`${dp.url}/admin`)).find((c) => c.name === 'dp_admin');

describe('operator sign-in at the upstream provider', () => {
  it('lets in a person whose groups claim holds the configured value, and records it in the audit log', async () => {
    const { context, page, status } = await consoleSignIn(DENIZ);
    try {
      expect(status).toBe(303);
      await expect(page.getByRole('heading', { name: 'Overview' }).isVisible()).resolves.toBe(true);
      expect(await consoleCookie(context)).toBeDefined();
      await page.goto(`${dp.url}/admin/jobs`);
      await expect(page.getByRole('heading', { name: 'Jobs' }).isVisible()).resolves.toBe(true);
      const [entry] = await auditSql.listAudit(dp.dataport.db, { action: 'operator.sign-in' }, true);
      expect(entry).toMatchObject({ actor: 'operator', operator: DENIZ.sub });
      expect(JSON.parse(entry!.detail)).toEqual({ method: 'oidc', subject: DENIZ.sub });
    } finally {
      await context.close();
    }
  });

  for (const [who, user] of [
    ['a group without it', KEMAL],
    ['no groups claim at all', LEYLA],
  ] as const) {
    it(`refuses a person with ${who}: a clear page, and no session`, async () => {
      const { context, page, status } = await consoleSignIn(user);
      try {
        expect(status).toBe(403);
        await expect(page.getByRole('alert').innerText()).resolves.toBe('Signing in at Acme Login did not make you an operator of this server.');
        expect(await consoleCookie(context)).toBeUndefined();
        await page.goto(`${dp.url}/admin/jobs`);
        await expect(page.getByRole('heading', { name: 'Operator sign-in' }).isVisible()).resolves.toBe(true);
      } finally {
        await context.close();
      }
    });
  }

  it("an end user's upstream session does not open the console, even an operator's own", async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(`${dp.url}/account`);
      await upstreamLogin(page, DENIZ);
      await page.getByRole('heading', { name: 'Your apps and exports' }).waitFor();
      await page.goto(`${dp.url}/admin`);
      await expect(page.getByRole('heading', { name: 'Operator sign-in' }).isVisible()).resolves.toBe(true);
      expect(await consoleCookie(context)).toBeUndefined();
      const refused = await context.request.post(`${dp.url}/admin/jobs/any/cancel`, { form: { csrf: 'none' }, maxRedirects: 0 });
      expect(refused.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});
