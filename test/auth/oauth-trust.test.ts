import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleClient, googleErrorOf, startDataport, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp.close());

const TWO = ['myactivity.search', 'chrome.history'];

/** Consent to `groups` for 30 days, offline, and the code exchanged: a client, its tokens and the browser that consented. */
async function givenTokens(options: { public?: boolean; groups?: string[]; headers?: Record<string, string> } = {}) {
  const groups = options.groups ?? TWO;
  const fixture = await givenClientAndUser(dp, { public: options.public === true });
  const browser = new CookieBrowser();
  const pkce = pkcePair();
  const back = await consentWithoutBrowser(
    dp.url,
    authorizeUrl(dp.url, fixture.client, {
      scope: groups.map(SCOPE).join(' '),
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      access_type: 'offline',
    }),
    fixture,
    { groups, access: '30d' },
    browser,
  );
  const secret: Record<string, string> = fixture.client.client_secret ? { client_secret: fixture.client.client_secret } : {};
  const res = await fetch(`${dp.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: fixture.client.redirect_uris[0]!,
      client_id: fixture.client.client_id,
      code_verifier: pkce.verifier,
      ...secret,
    }),
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    tokenRequest(dp.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fixture.client.client_id, ...secret, ...extra });
  return { ...fixture, browser, tokens: body, refresh };
}

describe('a token narrowed by a refresh (RFC 6749 §6)', () => {
  it('initiates and checks only its own scope, while the grant and the first token keep both groups', async () => {
    const f = await givenTokens();
    const narrowed = await f.refresh(f.tokens.refresh_token, { scope: SCOPE('myactivity.search') });
    expect(narrowed).toMatchObject({ status: 200, body: { scope: SCOPE('myactivity.search') } });

    const api = googleClient(dp.url, narrowed.body.access_token);
    expect((await api.accessType.check({})).data).toEqual({ timeBasedResources: ['myactivity.search'] });
    const refused = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } }));
    expect(refused.status).toBe(403);
    expect(refused.error.status).toBe('PERMISSION_DENIED');
    expect((await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } })).status).toBe(200);

    const full = googleClient(dp.url, f.tokens.access_token);
    expect((await full.accessType.check({})).data.timeBasedResources).toEqual(['chrome.history', 'myactivity.search']);
    // The refresh token still carries the whole grant.
    const again = await f.refresh(f.tokens.refresh_token);
    expect((await googleClient(dp.url, again.body.access_token).accessType.check({})).data.timeBasedResources).toEqual(['chrome.history', 'myactivity.search']);
  });
});

describe('DPoP (RFC 9449) is switched off, as Google has none', () => {
  it('metadata does not advertise it, and a DPoP proof at the token endpoint gets a plain Bearer token', async () => {
    const meta = (await (await fetch(`${dp.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).not.toHaveProperty('dpop_signing_alg_values_supported');

    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${dp.url}/oauth/token`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    const f = await givenTokens({ groups: ['myactivity.search'], headers: { dpop: proof } });
    expect(f.tokens.token_type).toBe('Bearer');
    // Not bound to the key: introspection shows no confirmation, and Google's client uses it as Bearer.
    const introspection = await fetch(`${dp.url}/oauth/introspect`, {
      method: 'POST',
      body: new URLSearchParams({ token: f.tokens.access_token, client_id: f.client.client_id, client_secret: f.client.client_secret! }),
    });
    const introspected = (await introspection.json()) as Record<string, unknown>;
    expect(introspected).toMatchObject({ active: true, token_type: 'Bearer' });
    expect(introspected).not.toHaveProperty('cnf');
    expect((await googleClient(dp.url, f.tokens.access_token).accessType.check({})).data.timeBasedResources).toEqual(['myactivity.search']);
  });
});

describe('refresh tokens', () => {
  it('of a public client rotate on use; presenting a rotated one revokes the whole grant (RFC 9700 §4.14.2)', async () => {
    const f = await givenTokens({ public: true, groups: ['myactivity.search'] });
    const first = f.tokens.refresh_token as string;
    const rotated = await f.refresh(first);
    expect(rotated.status).toBe(200);
    const second = rotated.body.refresh_token as string;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    const api = googleClient(dp.url, rotated.body.access_token);
    expect((await api.accessType.check({})).status).toBe(200);

    // The old one again: refused, and everything issued under the grant ends with it.
    expect(await f.refresh(first)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await f.refresh(second)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
    expect((await googleErrorOf(googleClient(dp.url, f.tokens.access_token).accessType.check({}))).status).toBe(401);
  });

  it("of a confidential client stay the same (as Google's) and can be used again", async () => {
    const f = await givenTokens({ groups: ['myactivity.search'] });
    const token = f.tokens.refresh_token as string;
    for (let i = 0; i < 2; i++) {
      const refreshed = await f.refresh(token);
      expect(refreshed.status).toBe(200);
      if (refreshed.body.refresh_token !== undefined) expect(refreshed.body.refresh_token).toBe(token);
      expect((await googleClient(dp.url, refreshed.body.access_token).accessType.check({})).status).toBe(200);
    }
  });
});

describe("the OAuth server's own pages", () => {
  const expectPageHeaders = (res: Response) => {
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  };

  it("an error page carries the same security headers as Dataport's pages", async () => {
    const res = await fetch(
      `${dp.url}/oauth/authorize?client_id=dpc_nope&response_type=code&redirect_uri=http://localhost:9/callback&scope=${SCOPE('myactivity.search')}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expectPageHeaders(res);
  });

  it("sign-out asks first, with the provider's xsrf field and no script, and signs out only on the POST", async () => {
    const f = await givenTokens({ groups: ['myactivity.search'] });
    const ask = await f.browser.fetch(`${dp.url}/oauth/logout`);
    expect(ask.status).toBe(200);
    expectPageHeaders(ask);
    const page = await ask.text();
    expect(page).not.toContain('<script');
    expect(page).not.toContain('fonts.googleapis.com');
    expect(page).toContain('<p class="brand">Dataport</p>');
    expect(page).toContain('Sign out of Dataport?');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    expect(xsrf).toBeTruthy();
    const session = f.browser.cookie('_session');
    expect(session).toBeTruthy();

    // A forged POST (no or wrong xsrf) changes nothing.
    const forged = await f.browser.postForm(`${dp.url}/oauth/logout/confirm`, { xsrf: 'wrong', logout: 'yes' });
    expect(forged.status).toBe(400);
    expectPageHeaders(forged);
    expect(f.browser.cookie('_session')).toBe(session);

    // "Stay signed in" submits the form without `logout`: the session stays, and the page after says so.
    const stay = await f.browser.postForm(`${dp.url}/oauth/logout/confirm`, { xsrf: xsrf! });
    expect(stay.status).toBe(303);
    const stayed = await f.browser.fetch(new URL(stay.headers.get('location')!, dp.url).toString());
    expect(await stayed.text()).toContain('You are still signed in');
    expect(f.browser.cookie('_session')).toBe(session);

    const again = await (await f.browser.fetch(`${dp.url}/oauth/logout`)).text();
    const xsrfAgain = /name="xsrf" value="([^"]+)"/.exec(again)![1]!;
    const done = await f.browser.postForm(`${dp.url}/oauth/logout/confirm`, { xsrf: xsrfAgain, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(f.browser.cookie('_session')).toBeUndefined();
    const after = await f.browser.fetch(new URL(done.headers.get('location')!, dp.url).toString());
    expect(after.status).toBe(200);
    expectPageHeaders(after);
    const afterPage = await after.text();
    expect(afterPage).toContain('You have signed out');
    expect(afterPage).not.toContain('<script');
  });

  it('without a session the sign-out page does not submit itself', async () => {
    const res = await new CookieBrowser().fetch(`${dp.url}/oauth/logout`);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
    const page = await res.text();
    expect(page).not.toContain('<script');
    expect(page).toContain('You are not signed in to Dataport');
    expect(page).toMatch(/name="xsrf" value="[0-9a-f]+"/);
  });
});
