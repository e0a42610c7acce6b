import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { dataportability_v1 } from 'googleapis';
import { googleClient, googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from '../auth/oauth-fixture.js';

/**
 * The authorization matrix: the six v1 methods against every kind of credential a caller can hold, as API.md
 * says. Invalid credentials (none, malformed, expired, revoked, reset) get 401 on every method; a valid token of
 * another user, another client, a grant without the job's groups, or a token narrowed by a refresh never sees the
 * job (404 with the body a job that does not exist gets) and cannot initiate outside its scope (403).
 */
type Method = 'initiate' | 'getState' | 'retry' | 'cancel' | 'reset' | 'check';
const METHODS: Method[] = ['initiate', 'getState', 'retry', 'cancel', 'reset', 'check'];

const FAILING = 'maps.reviews';
const SLOW = 'myactivity.shopping';
const OTHER = 'chrome.history';
const GROUPS = [FAILING, SLOW, OTHER];

let dp: TestDataport;
beforeAll(async () => {
  // Every cell leaves a slow job running: enough workers that the next cell's jobs are not queued behind them.
  dp = await startDataport({ DATAPORT_WORKER_CONCURRENCY: '64', DATAPORT_DEMO_RECORDS: '5', DATAPORT_DEMO_FAULTS: `${FAILING}=fail:1000,${SLOW}=slow:600000` });
});
afterAll(async () => dp.close());

/** Alice's grant to `client` with a FAILED job and a running one: what each credential is tried against. */
async function givenAliceWithJobs(user: string, clientId = 'matrix-app') {
  const { api, token } = await dp.client({ user, clientId, resources: GROUPS, access: '30d' });
  const failed = (await api.portabilityArchive.initiate({ requestBody: { resources: [FAILING] } })).data.archiveJobId!;
  expect((await waitForState(api, failed)).state).toBe('FAILED');
  const running = (await api.portabilityArchive.initiate({ requestBody: { resources: [SLOW] } })).data.archiveJobId!;
  return { api, token, failed, running };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method answers its own schema; the cells read a field or two
function call(
  api: dataportability_v1.Dataportability,
  method: Method,
  jobs: { failed: string; running: string },
  resources = GROUPS,
): Promise<{ status: number; data: any }> {
  switch (method) {
    case 'initiate':
      return api.portabilityArchive.initiate({ requestBody: { resources } });
    case 'getState':
      return api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobs.running}/portabilityArchiveState` });
    case 'retry':
      return api.archiveJobs.retry({ name: `archiveJobs/${jobs.failed}` });
    case 'cancel':
      return api.archiveJobs.cancel({ name: `archiveJobs/${jobs.running}` });
    case 'reset':
      return api.authorization.reset({});
    case 'check':
      return api.accessType.check({});
  }
}

/** The raw answer for a method called with a literal Authorization header (or none). */
async function callRaw(method: Method, authorization: string | undefined, jobs: { failed: string; running: string }) {
  const paths: Record<Method, [string, string]> = {
    initiate: ['POST', '/v1/portabilityArchive:initiate'],
    getState: ['GET', `/v1/archiveJobs/${jobs.running}/portabilityArchiveState`],
    retry: ['POST', `/v1/archiveJobs/${jobs.failed}:retry`],
    cancel: ['POST', `/v1/archiveJobs/${jobs.running}:cancel`],
    reset: ['POST', '/v1/authorization:reset'],
    check: ['POST', '/v1/accessType:check'],
  };
  const [verb, path] = paths[method];
  const body = method === 'initiate' ? JSON.stringify({ resources: GROUPS }) : undefined;
  const res = await fetch(dp.url + path, {
    method: verb,
    headers: { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  return { status: res.status, body: (await res.json()) as { error: { code: number; status: string; message: string; details?: { reason?: string }[] } } };
}

function expectUnauthenticated(answer: { status: number; body: { error: { code: number; status: string; details?: { reason?: string }[] } } }, reason: string) {
  expect(answer.status).toBe(401);
  expect(answer.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
  expect(answer.body.error.details?.map((d) => d.reason)).toContain(reason);
}

/** A job's 404 must read exactly as a job that never existed: no hint that someone else's job is there. */
async function expectNotFoundLikeMissing(
  api: dataportability_v1.Dataportability,
  method: 'getState' | 'retry' | 'cancel',
  jobs: { failed: string; running: string },
) {
  const seen = await googleErrorOf(call(api, method, jobs));
  const missingId = 'f'.repeat(32);
  const missing = await googleErrorOf(call(api, method, { failed: missingId, running: missingId }));
  expect(seen.status).toBe(404);
  expect(seen.error.status).toBe('NOT_FOUND');
  const id = method === 'retry' ? jobs.failed : jobs.running;
  expect({ ...seen.error, message: seen.error.message.replace(id, 'ID') }).toEqual({
    ...missing.error,
    message: missing.error.message.replace(missingId, 'ID'),
  });
}

/** The owner's jobs are untouched by what another credential tried. */
async function expectUntouched(owner: dataportability_v1.Dataportability, jobs: { failed: string; running: string }) {
  expect((await call(owner, 'getState', jobs)).data.state).toBe('IN_PROGRESS');
  const failed = await owner.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobs.failed}/portabilityArchiveState` });
  expect(failed.data.state).toBe('FAILED');
}

describe('authorization matrix: invalid credentials get 401 on every method', () => {
  it.each(METHODS)('%s with no token → 401 CREDENTIALS_MISSING', async (method) => {
    const jobs = await givenAliceWithJobs(`nobody-${method}`);
    expectUnauthenticated(await callRaw(method, undefined, jobs), 'CREDENTIALS_MISSING');
    await expectUntouched(jobs.api, jobs);
  });

  it.each(METHODS)('%s with a malformed token → 401', async (method) => {
    const jobs = await givenAliceWithJobs(`malformed-${method}`);
    for (const header of ['Bearer', `Bearer ${jobs.token}x`, `Basic ${Buffer.from('alice:pw').toString('base64')}`, `Bearer ${jobs.token.slice(0, -1)}`]) {
      const answer = await callRaw(method, header, jobs);
      expect(answer.status, header).toBe(401);
      expect(answer.body.error.status).toBe('UNAUTHENTICATED');
    }
    await expectUntouched(jobs.api, jobs);
  });

  it('an expired token → 401 ACCESS_TOKEN_EXPIRED on every method; a new token for the user still sees the job', async () => {
    const jobs = await givenAliceWithJobs('expired');
    dp.clock.advance(dp.dataport.config.tokenLifetimeMs + 1000);
    for (const method of METHODS) expectUnauthenticated(await callRaw(method, `Bearer ${jobs.token}`, jobs), 'ACCESS_TOKEN_EXPIRED');
    const fresh = await dp.client({ user: 'expired', clientId: 'matrix-app', resources: GROUPS, access: '30d' });
    expect((await call(fresh.api, 'getState', jobs)).data.state).toBe('IN_PROGRESS');
  });

  it('a token whose grant the user revoked (account page) → 401 on every method', async () => {
    const jobs = await givenAliceWithJobs('revoked');
    await dp.dataport.tokens.revokeAuthorization('revoked', 'matrix-app');
    for (const method of METHODS) {
      const answer = await callRaw(method, `Bearer ${jobs.token}`, jobs);
      expect(answer.status, method).toBe(401);
      expect(answer.body.error.status).toBe('UNAUTHENTICATED');
    }
  });

  it('a token after authorization.reset → 401 on every method, and the reset cancelled the running job', async () => {
    const jobs = await givenAliceWithJobs('reset');
    expect((await jobs.api.authorization.reset({})).status).toBe(200);
    for (const method of METHODS) {
      const answer = await callRaw(method, `Bearer ${jobs.token}`, jobs);
      expect(answer.status, method).toBe(401);
      expect(answer.body.error.status).toBe('UNAUTHENTICATED');
    }
    // The reset cancelled the grant's running job.
    const deadline = Date.now() + 20_000;
    let state: string | undefined;
    while (Date.now() < deadline) {
      state = (await dp.dataport.db.selectFrom('jobs').select('state').where('id', '=', jobs.running).executeTakeFirst())?.state;
      if (state !== 'IN_PROGRESS') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('CANCELLED');
  });
});

describe('authorization matrix: valid tokens that do not own the job', () => {
  it.each([
    ['another user', 'owner-a', { user: 'mallory', clientId: 'matrix-app' }],
    ['another client of the same user', 'owner-b', { user: 'owner-b', clientId: 'other-app' }],
  ] as const)('%s: the job methods → 404 as for a missing job; initiate, reset and check act on their own grant only', async (_, owner, who) => {
    const jobs = await givenAliceWithJobs(owner);
    const { api } = await dp.client({ ...who, resources: GROUPS, access: '30d' });
    for (const method of ['getState', 'retry', 'cancel'] as const) await expectNotFoundLikeMissing(api, method, jobs);
    expect((await call(api, 'check', jobs)).data.timeBasedResources).toEqual([...GROUPS].sort());
    expect((await call(api, 'reset', jobs)).status).toBe(200);
    await expectUntouched(jobs.api, jobs);
  });

  it('a later grant of other groups to the same app: the job methods → 404, initiate of the old groups → 403 PERMISSION_DENIED', async () => {
    const jobs = await givenAliceWithJobs('scoped');
    const { api } = await dp.client({ user: 'scoped', clientId: 'matrix-app', resources: [OTHER], access: '30d' });
    for (const method of ['getState', 'retry', 'cancel'] as const) await expectNotFoundLikeMissing(api, method, jobs);
    const refused = await googleErrorOf(call(api, 'initiate', jobs, [FAILING]));
    expect(refused.status).toBe(403);
    expect(refused.error.status).toBe('PERMISSION_DENIED');
    expect((await call(api, 'check', jobs)).data.timeBasedResources).toEqual([OTHER]);
    await expectUntouched(jobs.api, jobs);
  });

  it('a token narrowed by a refresh: the job of the other group → 404, initiate outside its scope → 403, check lists its scope only', async () => {
    const fixture = await givenClientAndUser(dp);
    const pkce = pkcePair();
    const back = await consentWithoutBrowser(
      dp.url,
      authorizeUrl(dp.url, fixture.client, {
        scope: [SLOW, OTHER].map(SCOPE).join(' '),
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        access_type: 'offline',
      }),
      fixture,
      { groups: [SLOW, OTHER], access: '30d' },
    );
    const secret = { client_id: fixture.client.client_id, client_secret: fixture.client.client_secret! };
    const tokens = await tokenRequest(dp.url, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: fixture.client.redirect_uris[0]!,
      code_verifier: pkce.verifier,
      ...secret,
    });
    expect(tokens.status).toBe(200);
    const full = googleClient(dp.url, tokens.body.access_token);
    const running = (await full.portabilityArchive.initiate({ requestBody: { resources: [SLOW] } })).data.archiveJobId!;
    const narrowed = await tokenRequest(dp.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, scope: SCOPE(OTHER), ...secret });
    expect(narrowed.status).toBe(200);
    const api = googleClient(dp.url, narrowed.body.access_token);
    const jobs = { failed: running, running };
    for (const method of ['getState', 'cancel'] as const) await expectNotFoundLikeMissing(api, method, jobs);
    const refused = await googleErrorOf(call(api, 'initiate', jobs, [SLOW]));
    expect(refused.status).toBe(403);
    expect(refused.error.status).toBe('PERMISSION_DENIED');
    expect((await call(api, 'check', jobs)).data.timeBasedResources).toEqual([OTHER]);
    expect((await call(full, 'getState', jobs)).data.state).toBe('IN_PROGRESS');
  });
});
