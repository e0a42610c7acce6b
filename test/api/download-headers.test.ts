import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { CookieBrowser, givenClientAndUser } from '../auth/oauth-fixture.js';

/**
 * `X-Content-Type-Options: nosniff` on every API answer (a browser must not render a JSON error or an archive
 * as anything else), and "downloaded" (the account page, `dataport jobs show`) means a GET that sent the whole
 * archive: not a HEAD, not a partial range.
 */
describe('download and API response headers', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '20' });
  });
  afterAll(async () => dp.close());

  async function completedUrl(user: string, clientId?: string): Promise<{ jobId: string; url: string }> {
    const { api } = await dp.client({ user, resources: ['myactivity.search'], access: '30d', ...(clientId ? { clientId } : {}) });
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, data.archiveJobId!);
    return { jobId: data.archiveJobId!, url: state.urls![0]! };
  }

  /** Whether the user's account page lists the (one) export as downloaded. */
  async function accountSaysDownloaded(login: { user: string; password: string }): Promise<boolean> {
    const browser = new CookieBrowser();
    const signIn = await (await browser.fetch(`${dp.url}/account`)).text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(signIn)![1]!;
    expect((await browser.postForm(`${dp.url}/account/login`, { csrf, user: login.user, password: login.password })).status).toBe(303);
    const page = await (await browser.fetch(`${dp.url}/account`)).text();
    const history = page.slice(page.indexOf('id="history"'));
    expect(history).toContain('class="export"');
    return !history.includes('Not downloaded');
  }

  it('API answers, errors, the discovery document and downloads carry nosniff', async () => {
    const { api, token } = await dp.client({ user: 'nosniff', resources: ['myactivity.search'] });
    const ok = await fetch(`${dp.url}/v1/accessType:check`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    const unauthenticated = await fetch(`${dp.url}/v1/accessType:check`, { method: 'POST' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-content-type-options')).toBe('nosniff');
    const notFound = await fetch(`${dp.url}/v1/no/such/route`, { headers: { authorization: `Bearer ${token}` } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-content-type-options')).toBe('nosniff');
    const discovery = await fetch(`${dp.url}/$discovery/rest?version=v1`);
    expect(discovery.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await googleErrorOf(api.archiveJobs.getPortabilityArchiveState({ name: 'archiveJobs/nope/portabilityArchiveState' }))).status).toBe(404);

    const { url } = await completedUrl('nosniff-download');
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    await download.arrayBuffer();
  });

  it('a HEAD and partial ranges (even one from byte 0) do not mark the archive downloaded; a whole GET does', async () => {
    const f = await givenClientAndUser(dp);
    const { url } = await completedUrl(f.user, f.client.client_id);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const size = Number(head.headers.get('content-length'));
    expect(size).toBeGreaterThan(10);
    const first = await fetch(url, { headers: { range: 'bytes=0-9' } });
    expect(first.status).toBe(206);
    expect((await first.arrayBuffer()).byteLength).toBe(10);
    const rest = await fetch(url, { headers: { range: 'bytes=10-' } });
    expect(rest.status).toBe(206);
    await rest.arrayBuffer();
    expect(await accountSaysDownloaded(f)).toBe(false);

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect((await whole.arrayBuffer()).byteLength).toBe(size);
    // Recorded once the last byte has left the server: poll with a deadline.
    const deadline = Date.now() + 10_000;
    let marked = await accountSaysDownloaded(f);
    while (!marked && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      marked = await accountSaysDownloaded(f);
    }
    expect(marked).toBe(true);
  });
});
