import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import { collectExpiredArchives } from '../../src/export/index.js';
import { googleClient, googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { runCli } from '../helpers/process.js';
import { testStack } from '../helpers/scaled-stack.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';

/**
 * On the embedded stack the API keeps token -> caller and a polled job's row in memory (store/change-watch.ts).
 * Whatever changes them, in this process or another, must be seen by the very next request: each test uses a
 * token or polls a job first (so the answer is remembered), changes it, and asks again at once.
 */
describe('a revocation or a change takes effect on the next request', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5', DATAPORT_DEMO_FAULTS: 'myactivity.shopping=slow:60000' });
  });
  afterAll(async () => dp.close());

  const stateOf = (api: Awaited<ReturnType<TestDataport['client']>>['api'], jobId: string) =>
    api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobId}/portabilityArchiveState` });

  it('authorization.reset: the token just used, and another of the same grant holder, are refused', async () => {
    const first = await dp.client({ user: 'reset-user', resources: ['myactivity.search'] });
    const second = await dp.client({ user: 'reset-user', resources: ['chrome.history'] });
    expect((await first.api.accessType.check({})).status).toBe(200);
    expect((await second.api.accessType.check({})).status).toBe(200);
    await first.api.authorization.reset({});
    expect((await googleErrorOf(first.api.accessType.check({}))).status).toBe(401);
    expect((await googleErrorOf(second.api.accessType.check({}))).status).toBe(401);
  });

  it('the OAuth revocation endpoint, revoking the access token itself', async () => {
    const f = await givenClientAndUser(dp);
    const pkce = pkcePair();
    const back = await consentWithoutBrowser(
      dp.url,
      authorizeUrl(dp.url, f.client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      f,
      { groups: ['myactivity.search'], access: '30d' },
      new CookieBrowser(),
    );
    const { body } = await tokenRequest(dp.url, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: f.client.redirect_uris[0]!,
      client_id: f.client.client_id,
      client_secret: f.client.client_secret!,
      code_verifier: pkce.verifier,
    });
    const api = googleClient(dp.url, body.access_token);
    expect((await api.accessType.check({})).status).toBe(200);
    const revoked = await fetch(`${dp.url}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({
        token: body.access_token,
        token_type_hint: 'access_token',
        client_id: f.client.client_id,
        client_secret: f.client.client_secret!,
      }),
    });
    expect(revoked.status).toBe(200);
    expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
  });

  it('expiry by the clock: a token used a moment ago is refused once its lifetime has passed', async () => {
    const { api } = await dp.client({ user: 'expiring', resources: ['myactivity.search'] });
    expect((await api.accessType.check({})).status).toBe(200);
    dp.clock.advance(dp.dataport.config.tokenLifetimeMs + 1000);
    expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
  });

  it("`dataport clients remove` in another process ends the client's grants: its token is refused", async () => {
    const added = await runCli(['clients', 'add', '--name', 'Removed App', '--redirect-uri', 'http://localhost:9/callback'], dp.env);
    expect(added.code, added.stderr).toBe(0);
    const clientId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
    const { api } = await dp.client({ user: 'cli-user', resources: ['myactivity.search'], clientId });
    expect((await api.accessType.check({})).status).toBe(200);
    const removed = await runCli(['clients', 'remove', clientId], dp.env);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
  });

  it('`dataport jobs cancel` in another process: the next poll says CANCELLED', async () => {
    const { api } = await dp.client({ user: 'cli-cancel', resources: ['myactivity.shopping'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    expect((await stateOf(api, job.archiveJobId!)).data.state).toBe('IN_PROGRESS');
    expect((await stateOf(api, job.archiveJobId!)).data.state).toBe('IN_PROGRESS');
    const cancelled = await runCli(['jobs', 'cancel', job.archiveJobId!], dp.env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect((await stateOf(api, job.archiveJobId!)).data.state).toBe('CANCELLED');
  });

  it('archives deleted after retention (in this process): the next poll lists no URLs', async () => {
    const { api } = await dp.client({ user: 'retention', resources: ['chrome.history'], access: '180d' });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect((await waitForState(api, job.archiveJobId!)).urls).toHaveLength(1);
    expect((await stateOf(api, job.archiveJobId!)).data.urls).toHaveLength(1);
    dp.clock.advance(dp.dataport.config.archiveRetentionMs + 1000);
    expect(await collectExpiredArchives({ db: dp.dataport.db, blobs: dp.dataport.blobs, now: dp.clock.now })).toBeGreaterThan(0);
    // The token has expired by now too (1 h lifetime): a fresh one of the same user and client reads the job.
    const fresh = await dp.client({ user: 'retention', resources: ['chrome.history'], access: '180d' });
    const after = await stateOf(fresh.api, job.archiveJobId!);
    expect(after.data.state).toBe('COMPLETE');
    expect(after.data.urls ?? []).toEqual([]);
  });

  it('a poll in a later second signs its URL afresh (the answer kept for a job is good for one second)', async () => {
    const { api } = await dp.client({ user: 'later-second', resources: ['myactivity.search'], access: '30d' });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    await waitForState(api, job.archiveJobId!);
    const expiresOf = async () => urlExpirySeconds(new URL((await stateOf(api, job.archiveJobId!)).data.urls![0]!));
    // The test clock is the real one moved forward, so a real second may also begin between two polls
    // (seen under a loaded machine): each answer is signed for a second at least one later, and at most two.
    const first = await expiresOf();
    dp.clock.advance(1000);
    const second = await expiresOf();
    expect(second - first).toBeGreaterThanOrEqual(1);
    expect(second - first).toBeLessThanOrEqual(2);
    dp.clock.advance(5000);
    const third = await expiresOf();
    expect(third - second).toBeGreaterThanOrEqual(5);
    expect(third - second).toBeLessThanOrEqual(6);
  });

  describe.skipIf(testStack !== 'embedded')('a second SQLite connection writing the same database file', () => {
    const withSecondConnection = <T>(run: (db: SQLite.Database) => T): T => {
      const db = new SQLite(path.join(dp.dataDir, 'dataport.sqlite'));
      db.pragma('busy_timeout = 5000');
      try {
        return run(db);
      } finally {
        db.close();
      }
    };

    it('revokes the grant: the token used a moment ago is refused', async () => {
      const { api, token } = await dp.client({ user: 'second-connection', resources: ['myactivity.search'] });
      expect((await api.accessType.check({})).status).toBe(200);
      withSecondConnection((db) =>
        db.prepare('update grants set revoked_at = ? where id = (select grant_id from access_tokens where token_hash = ?)').run(Date.now(), hashToken(token)),
      );
      expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
    });

    it("marks a polled job's archive deleted: the next poll lists no URLs", async () => {
      const { api } = await dp.client({ user: 'second-connection-job', resources: ['myactivity.search'] });
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
      expect((await waitForState(api, job.archiveJobId!)).urls).toHaveLength(1);
      expect((await stateOf(api, job.archiveJobId!)).data.urls).toHaveLength(1);
      withSecondConnection((db) => db.prepare('update jobs set archive_deleted_at = ? where id = ?').run(Date.now(), job.archiveJobId));
      expect((await stateOf(api, job.archiveJobId!)).data.urls ?? []).toEqual([]);
    });
  });
});

/** When a signed download URL expires, in Unix seconds: the local signer's `expires`, or S3's SigV4 date + lifetime. */
function urlExpirySeconds(url: URL): number {
  const expires = url.searchParams.get('expires');
  if (expires !== null) return Number(expires);
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(url.searchParams.get('X-Amz-Date') ?? '');
  if (!m) throw new Error(`not a signed URL: ${url.href}`);
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se) / 1000 + Number(url.searchParams.get('X-Amz-Expires'));
}
