import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleClient, googleErrorOf, startDataport, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp.close());

const TWO = [SCOPE('myactivity.search'), SCOPE('chrome.history')].join(' ');

/** A client, a user and a code for `myactivity.search` (30 days, offline). */
async function givenCode(options: { public?: boolean } = {}) {
  const fixture = await givenClientAndUser(dp, options);
  const pkce = pkcePair();
  const back = await consentWithoutBrowser(
    dp.url,
    authorizeUrl(dp.url, fixture.client, { scope: TWO, code_challenge: pkce.challenge, code_challenge_method: 'S256', access_type: 'offline' }),
    fixture,
    { groups: ['myactivity.search'], access: '30d' },
  );
  const code = back.searchParams.get('code');
  expect(code, back.toString()).toBeTruthy();
  return { ...fixture, pkce, code: code! };
}

const exchange = (f: Awaited<ReturnType<typeof givenCode>>, extra: Record<string, string> = {}) =>
  tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code: f.code,
    redirect_uri: f.client.redirect_uris[0]!,
    client_id: f.client.client_id,
    ...(f.client.client_secret ? { client_secret: f.client.client_secret } : {}),
    code_verifier: f.pkce.verifier,
    ...extra,
  });

describe('the authorization server issues', () => {
  it('a code exchanged with PKCE gives a 30-day token for only the granted group, with refresh_token_expires_in', async () => {
    const f = await givenCode();
    const { status, body } = await exchange(f);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: SCOPE('myactivity.search') });
    // The refresh token's remaining life, as Google reports it: the grant's 30 days, less the moments since consent.
    expect(body.refresh_token_expires_in).toBeLessThanOrEqual(2592000);
    expect(body.refresh_token_expires_in).toBeGreaterThan(2592000 - 600);
    expect(body.refresh_token).toBeTruthy();
    const api = googleClient(dp.url, body.access_token);
    expect((await api.accessType.check({})).data).toEqual({ timeBasedResources: ['myactivity.search'] });
    expect((await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } }))).status).toBe(403);
  });

  it('RFC 8414 metadata names the endpoints, S256 and the catalog scopes', async () => {
    const res = await fetch(`${dp.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta.issuer).toBe(dp.url);
    expect(meta.authorization_endpoint).toBe(`${dp.url}/oauth/authorize`);
    expect(meta.token_endpoint).toBe(`${dp.url}/oauth/token`);
    expect(meta.revocation_endpoint).toBe(`${dp.url}/oauth/revoke`);
    expect(meta.introspection_endpoint).toBe(`${dp.url}/oauth/introspect`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('introspection (RFC 7662) and revocation (RFC 7009) of a refresh token end the grant; the API refuses the token', async () => {
    const f = await givenCode();
    const { body } = await exchange(f);
    const auth = { client_id: f.client.client_id, client_secret: f.client.client_secret! };
    const introspect = async (token: string) =>
      (await fetch(`${dp.url}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token, ...auth }) })).json();
    expect(await introspect(body.access_token)).toMatchObject({ active: true, client_id: f.client.client_id, sub: f.user });
    // Another confidential client learns nothing about this client's token.
    const other = await givenClientAndUser(dp);
    const foreign = await fetch(`${dp.url}/oauth/introspect`, {
      method: 'POST',
      body: new URLSearchParams({ token: body.access_token, client_id: other.client.client_id, client_secret: other.client.client_secret! }),
    });
    expect(await foreign.json()).toEqual({ active: false });
    // ...and cannot revoke it.
    await fetch(`${dp.url}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: body.refresh_token, client_id: other.client.client_id, client_secret: other.client.client_secret! }),
    });
    expect(await introspect(body.access_token)).toMatchObject({ active: true });
    const revoked = await fetch(`${dp.url}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: body.refresh_token, token_type_hint: 'refresh_token', ...auth }),
    });
    expect(revoked.status).toBe(200);
    expect(await introspect(body.access_token)).toEqual({ active: false });
    expect((await googleErrorOf(googleClient(dp.url, body.access_token).accessType.check({}))).status).toBe(401);
  });

  it('authorization.reset revokes the OAuth access token and the refresh token', async () => {
    const f = await givenCode();
    const { body } = await exchange(f);
    await googleClient(dp.url, body.access_token).authorization.reset({});
    expect((await googleErrorOf(googleClient(dp.url, body.access_token).accessType.check({}))).status).toBe(401);
    const refreshed = await tokenRequest(dp.url, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: f.client.client_id,
      client_secret: f.client.client_secret!,
    });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('grants from the same browser', () => {
  it("a second consent to the same app in the same browser leaves the first grant's refresh token working", async () => {
    const f = await givenClientAndUser(dp);
    const browser = new CookieBrowser();
    const codeFor = async (group: string) => {
      const pkce = pkcePair();
      const back = await consentWithoutBrowser(
        dp.url,
        authorizeUrl(dp.url, f.client, { scope: SCOPE(group), code_challenge: pkce.challenge, code_challenge_method: 'S256', access_type: 'offline' }),
        f,
        { groups: [group], access: '30d' },
        browser,
      );
      return tokenRequest(dp.url, {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        redirect_uri: f.client.redirect_uris[0]!,
        client_id: f.client.client_id,
        client_secret: f.client.client_secret!,
        code_verifier: pkce.verifier,
      });
    };
    const first = await codeFor('myactivity.search');
    const second = await codeFor('chrome.history');
    expect(second.status).toBe(200);
    const refreshed = await tokenRequest(dp.url, {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
      client_id: f.client.client_id,
      client_secret: f.client.client_secret!,
    });
    expect(refreshed.body).toMatchObject({ access_token: expect.any(String), scope: SCOPE('myactivity.search') });
  });
});

describe('the authorization server refuses', () => {
  it('a redirect URI that is not registered exactly: an error page, no redirect', async () => {
    const { client } = await givenClientAndUser(dp);
    for (const wrong of ['http://localhost:9/callback/', 'http://localhost:9/other', 'http://localhost:9/callback?x=1']) {
      const res = await new CookieBrowser().fetch(authorizeUrl(dp.url, client, { scope: TWO, redirect_uri: wrong }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri');
    }
  });

  it('a token request with the PKCE verifier missing or wrong (invalid_grant)', async () => {
    const missing = await givenCode();
    expect(await exchange(missing, { code_verifier: '' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const wrong = await givenCode();
    expect(await exchange(wrong, { code_verifier: pkcePair().verifier })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a public client without a code challenge (PKCE is required)', async () => {
    const { client } = await givenClientAndUser(dp, { public: true });
    const res = await new CookieBrowser().fetch(authorizeUrl(dp.url, client, { scope: TWO }));
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(client.redirect_uris[0]);
    expect(back.searchParams.get('error')).toBe('invalid_request');
  });

  it('a reused code (invalid_grant), and the tokens the first exchange issued stop working', async () => {
    const f = await givenCode();
    const first = await exchange(f);
    expect(first.status).toBe(200);
    expect(await exchange(f)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await googleErrorOf(googleClient(dp.url, first.body.access_token).accessType.check({}))).status).toBe(401);
  });

  it('data portability scopes mixed with other scopes, and unknown scopes (invalid_scope to the redirect URI)', async () => {
    const { client } = await givenClientAndUser(dp);
    for (const scope of [
      `${SCOPE('myactivity.search')} openid`,
      `${SCOPE('myactivity.search')} https://www.googleapis.com/auth/drive`,
      SCOPE('no.such.group'),
      'openid',
      '',
    ]) {
      const res = await new CookieBrowser().fetch(authorizeUrl(dp.url, client, { scope, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
      expect(res.status, scope).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(back.searchParams.get('error'), scope).toBe('invalid_scope');
      expect(back.searchParams.get('state')).toBe('xyz');
    }
  });

  it('an unknown client: an error page, no redirect', async () => {
    const res = await new CookieBrowser().fetch(
      authorizeUrl(dp.url, { client_id: 'dpc_nope', redirect_uris: ['http://localhost:9/callback'] } as never, { scope: TWO }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const page = await res.text();
    expect(page).toContain('invalid_client');
    // Dataport's own error page (language, styles, no external assets), not the provider's default one.
    expect(page).toContain('<html lang="en"');
    expect(page).toContain('<p class="brand">Dataport</p>');
    const turkish = await new CookieBrowser().fetch(
      authorizeUrl(dp.url, { client_id: 'dpc_nope', redirect_uris: ['http://localhost:9/callback'] } as never, { scope: TWO, hl: 'tr' }),
    );
    expect(await turkish.text()).toContain('<html lang="tr"');
  });

  it('a wrong client secret (invalid_client), leaving the code usable', async () => {
    const f = await givenCode();
    expect(await exchange(f, { client_secret: 'wrong' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await exchange(f)).status).toBe(200);
  });
});
