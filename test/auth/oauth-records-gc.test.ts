import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  // Maintenance runs every min(60 s, 2 x lease): a 1 s lease makes it run every 2 s.
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '1', DATAPORT_JOB_LEASE: '1s' });
});
afterAll(async () => dp.close());

const DAY_MS = 86_400_000;

async function expiredRows(at: number): Promise<number> {
  const rows = await dp.dataport.db.selectFrom('oidc_payloads').select('model').where('expires_at', '<=', at).execute();
  return rows.length;
}

it('periodic maintenance deletes expired OAuth records (codes, sessions, access tokens) and keeps live ones', async () => {
  const f = await givenClientAndUser(dp);
  const pkce = pkcePair();
  const back = await consentWithoutBrowser(
    dp.url,
    authorizeUrl(dp.url, f.client, { scope: SCOPE('chrome.history'), code_challenge: pkce.challenge, code_challenge_method: 'S256', access_type: 'offline' }),
    f,
    { groups: ['chrome.history'], access: '30d' },
  );
  const { body } = await tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: f.client.redirect_uris[0]!,
    client_id: f.client.client_id,
    client_secret: f.client.client_secret!,
    code_verifier: pkce.verifier,
  });
  expect(body.refresh_token).toBeTruthy();
  const before = (await dp.dataport.db.selectFrom('oidc_payloads').select('model').execute()).map((r) => r.model);
  expect(before).toEqual(expect.arrayContaining(['AuthorizationCode', 'Session', 'AccessToken', 'RefreshToken', 'Grant']));

  // Fifteen days on: the code, the session (14 days) and the access token are past their time; the
  // 30-day refresh token and its grant are not.
  dp.clock.advance(15 * DAY_MS);
  expect(await expiredRows(dp.clock.now())).toBeGreaterThan(0);
  const deadline = Date.now() + 30_000;
  while ((await expiredRows(dp.clock.now())) > 0) {
    if (Date.now() > deadline) throw new Error('expired OAuth records were not deleted within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const after = (await dp.dataport.db.selectFrom('oidc_payloads').select('model').execute()).map((r) => r.model);
  expect(after).not.toContain('AuthorizationCode');
  expect(after).not.toContain('Session');
  expect(after).toEqual(expect.arrayContaining(['RefreshToken', 'Grant']));
  const refreshed = await tokenRequest(dp.url, {
    grant_type: 'refresh_token',
    refresh_token: body.refresh_token,
    client_id: f.client.client_id,
    client_secret: f.client.client_secret!,
  });
  expect(refreshed.body).toMatchObject({ access_token: expect.any(String) });
});
