import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp.close());

// RFC 8252 §7.3: a native app listens on an ephemeral loopback port, so the port of a registered
// loopback IP redirect URI is not compared. `dataport export` relies on this, as it does with Google.
describe('loopback redirect URIs of public (native) clients', () => {
  it('any port on 127.0.0.1 is accepted for the registered path; the code is exchanged with that URI', async () => {
    const fixture = await givenClientAndUser(dp, { public: true, redirectUri: 'http://127.0.0.1/callback' });
    const pkce = pkcePair();
    const redirect = 'http://127.0.0.1:49321/callback';
    const back = await consentWithoutBrowser(
      dp.url,
      authorizeUrl(dp.url, fixture.client, {
        scope: SCOPE('myactivity.search'),
        redirect_uri: redirect,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
      fixture,
      { groups: ['myactivity.search'], access: 'once' },
    );
    expect(`${back.origin}${back.pathname}`).toBe(redirect);
    const token = await tokenRequest(dp.url, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: redirect,
      client_id: fixture.client.client_id,
      code_verifier: pkce.verifier,
    });
    expect(token.status).toBe(200);
  });

  it('another path or host is still refused, and confidential clients keep exact matching', async () => {
    const native = await givenClientAndUser(dp, { public: true, redirectUri: 'http://127.0.0.1/callback' });
    const web = await givenClientAndUser(dp, { redirectUri: 'http://127.0.0.1:8123/callback' });
    for (const [client, wrong] of [
      [native.client, 'http://127.0.0.1:49321/other'],
      [native.client, 'http://192.0.2.1:49321/callback'],
      [web.client, 'http://127.0.0.1:49321/callback'],
    ] as const) {
      const res = await new CookieBrowser().fetch(
        authorizeUrl(dp.url, client, {
          scope: SCOPE('myactivity.search'),
          redirect_uri: wrong,
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }),
      );
      expect(res.status, wrong).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });
});
