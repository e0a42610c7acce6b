import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleClient, googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { runCli } from '../helpers/process.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';

/**
 * Consent is the key to an archive: it may be downloaded, and its job polled, only while the grant that made it
 * stands and covers its groups. Removing the app on the account page, revoking its token (RFC 7009) and
 * authorization.reset stop downloads at once (a URL handed out before no longer works, before any maintenance
 * pass deletes the files), cancel the grant's running jobs, and a later consent to the same app does not reopen
 * the old jobs. Runs on both stacks (on the scaled one the URLs lead through Dataport too, not straight to S3).
 */
describe('a withdrawn consent closes its archives at once', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5', DATAPORT_DEMO_FAULTS: 'myactivity.shopping=slow:60000' });
  });
  afterAll(async () => dp.close());

  type Fixture = Awaited<ReturnType<typeof givenClientAndUser>>;

  /** The authorization-code flow, consenting to `groups`; returns the access token. */
  async function consent(f: Fixture, groups: string[]): Promise<string> {
    const pkce = pkcePair();
    const back = await consentWithoutBrowser(
      dp.url,
      authorizeUrl(dp.url, f.client, { scope: groups.map(SCOPE).join(' '), code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      f,
      { groups, access: '30d' },
      new CookieBrowser(),
    );
    const { status, body } = await tokenRequest(dp.url, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: f.client.redirect_uris[0]!,
      client_id: f.client.client_id,
      client_secret: f.client.client_secret!,
      code_verifier: pkce.verifier,
    });
    expect(status).toBe(200);
    return body.access_token as string;
  }

  /** Exports `group` with the token and returns the job id and its (only) download URL, checked to work. */
  async function completedArchive(token: string, group: string): Promise<{ jobId: string; url: string }> {
    const api = googleClient(dp.url, token);
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: [group] } });
    const state = await waitForState(api, data.archiveJobId!);
    expect(state.state).toBe('COMPLETE');
    const url = state.urls![0]!;
    const res = await fetch(url, { headers: { range: 'bytes=0-1' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('PK');
    return { jobId: data.archiveJobId!, url };
  }

  const poll = (token: string, jobId: string) =>
    googleClient(dp.url, token).archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobId}/portabilityArchiveState` });

  async function expectGone(url: string) {
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  }

  it('the user removes the app on /account: its URLs stop at once, and a later consent (other or same groups) cannot poll the old job', async () => {
    const f = await givenClientAndUser(dp);
    const token = await consent(f, ['myactivity.search']);
    const { jobId, url } = await completedArchive(token, 'myactivity.search');

    const browser = new CookieBrowser();
    const signIn = await (await browser.fetch(`${dp.url}/account`)).text();
    const login = await browser.postForm(`${dp.url}/account/login`, { csrf: hiddenCsrf(signIn), user: f.user, password: f.password });
    expect(login.status).toBe(303);
    const page = await (await browser.fetch(`${dp.url}/account`)).text();
    const removed = await browser.postForm(`${dp.url}/account/revoke`, { csrf: hiddenCsrf(page), client_id: f.client.client_id });
    expect(removed.status).toBe(303);

    await expectGone(url);
    const other = await consent(f, ['chrome.history']);
    expect((await googleErrorOf(poll(other, jobId))).status).toBe(404);
    const same = await consent(f, ['myactivity.search']);
    expect((await googleErrorOf(poll(same, jobId))).status).toBe(404);
    // The new grant's own exports are not affected.
    await completedArchive(other, 'chrome.history');
  });

  it('the app revokes its access token (RFC 7009): its URLs stop at once, and a later consent to other groups cannot poll the old job', async () => {
    const f = await givenClientAndUser(dp);
    const token = await consent(f, ['myactivity.search']);
    const { jobId, url } = await completedArchive(token, 'myactivity.search');
    const revoked = await fetch(`${dp.url}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: f.client.client_id, client_secret: f.client.client_secret! }),
    });
    expect(revoked.status).toBe(200);

    await expectGone(url);
    const other = await consent(f, ['chrome.history']);
    const refused = await googleErrorOf(poll(other, jobId));
    expect(refused.status).toBe(404);
    expect(refused.error.message).toBe('Archive job not found.');
  });

  it('a token for other groups of the same user and app cannot poll a job it does not cover', async () => {
    const f = await givenClientAndUser(dp);
    const search = await consent(f, ['myactivity.search']);
    const { jobId } = await completedArchive(search, 'myactivity.search');
    const history = await consent(f, ['chrome.history']);
    expect((await googleErrorOf(poll(history, jobId))).status).toBe(404);
    expect((await poll(search, jobId)).data.state).toBe('COMPLETE');
  });

  it('authorization.reset during a running job cancels it: nothing is published or kept', async () => {
    const { api } = await dp.client({ user: 'reset-running', resources: ['myactivity.shopping'], access: '30d' });
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    expect(
      (await poll((await dp.client({ user: 'reset-running', resources: ['myactivity.shopping'], access: '30d' })).token, data.archiveJobId!)).data.state,
    ).toBe('IN_PROGRESS');
    await api.authorization.reset({});
    const shown = await runCli(['jobs', 'show', data.archiveJobId!, '--json'], dp.env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'CANCELLED' });
  });

  it('authorization.reset: a URL handed out before stops at once, before any maintenance pass', async () => {
    const { api, token } = await dp.client({ user: 'reset-urls', resources: ['chrome.history'], access: '30d' });
    const { url } = await completedArchive(token, 'chrome.history');
    await api.authorization.reset({});
    await expectGone(url);
  });
});

function hiddenCsrf(page: string): string {
  const m = /name="csrf" value="([^"]*)"/.exec(page);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}
