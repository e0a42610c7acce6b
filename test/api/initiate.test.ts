import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

describe('portabilityArchive.initiate', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '20', DATAPORT_DEMO_FAULTS: 'youtube.comments=slow:3000' });
  });
  afterAll(async () => dp.close());

  it("starts a job with a random 128-bit id and the grant's access type", async () => {
    const { api } = await dp.client({ user: 'alice', resources: ['myactivity.search', 'chrome.history'] });
    const { data, status } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    expect(status).toBe(200);
    expect(data.accessType).toBe('ACCESS_TYPE_ONE_TIME');
    expect(data.archiveJobId).toMatch(/^[0-9a-f]{32}$/);
    const { data: other } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect(other.archiveJobId).not.toBe(data.archiveJobId);
  });

  it('time-based grant → ACCESS_TYPE_TIME_BASED', async () => {
    const { api } = await dp.client({ user: 'tb-user', resources: ['maps.reviews'], access: '30d' });
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
    expect(data.accessType).toBe('ACCESS_TYPE_TIME_BASED');
  });

  it("a group the token does not grant → 403 PERMISSION_DENIED with Google's message", async () => {
    const { api } = await dp.client({ user: 'bob', resources: ['myactivity.search'] });
    const e = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search', 'maps.reviews'] } }));
    expect(e.status).toBe(403);
    expect(e.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', message: 'The requested resources are not authorized by the OAuth token.' });
  });

  it('an unknown group → 400 INVALID_ARGUMENT; empty resources → 400', async () => {
    const { api } = await dp.client({ user: 'bob2', resources: ['myactivity.search'] });
    const unknown = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.nope'] } }));
    expect(unknown.status).toBe(400);
    expect(unknown.error.status).toBe('INVALID_ARGUMENT');
    expect(unknown.error.message).toContain('myactivity.nope');
    const empty = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: [] } }));
    expect(empty.error.status).toBe('INVALID_ARGUMENT');
  });

  it('a second one-time export of a group → 429 RESOURCE_EXHAUSTED_ONE_TIME naming the previous job', async () => {
    const { api } = await dp.client({ user: 'carol', resources: ['play.installs', 'play.library'] });
    const first = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } });
    await waitForState(api, first.data.archiveJobId!);
    const e = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs', 'play.library'] } }));
    expect(e.status).toBe(429);
    expect(e.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(e.error.details![0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'RESOURCE_EXHAUSTED_ONE_TIME',
      domain: 'dataportability.googleapis.com',
      metadata: { previous_job_ids: first.data.archiveJobId },
    });
    // A new token for the same user and client does not lift the limit: only authorization.reset does.
    const again = await dp.client({ user: 'carol', resources: ['play.installs'] });
    expect((await googleErrorOf(again.api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } }))).status).toBe(429);
    // Another group of the same grant is still allowed.
    const other = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.library'] } });
    expect(other.status).toBe(200);
  });

  it('time-based: one export per group per 24 hours, with timestamp_after_24hrs; the clock moving past it lifts the limit', async () => {
    const { api } = await dp.client({ user: 'dave', resources: ['maps.starred_places'], access: '180d' });
    const first = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.starred_places'] } });
    await waitForState(api, first.data.archiveJobId!);
    const e = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['maps.starred_places'] } }));
    expect(e.status).toBe(429);
    const info = e.error.details![0];
    expect(info.reason).toBe('RESOURCE_EXHAUSTED_TIME_BASED');
    expect(info.metadata.previous_job_ids).toBe(first.data.archiveJobId);
    const after = Date.parse(info.metadata.timestamp_after_24hrs);
    expect(after - dp.clock.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(after - dp.clock.now()).toBeLessThanOrEqual(24 * 3_600_000);
    dp.clock.advance(24 * 3_600_000 + 1000);
    try {
      // The access token has expired by now (1 h); the user consented for 180 days, so the app gets a new one.
      const { api: later } = await dp.client({ user: 'dave', resources: ['maps.starred_places'], access: '180d' });
      const second = await later.portabilityArchive.initiate({ requestBody: { resources: ['maps.starred_places'] } });
      expect(second.data.accessType).toBe('ACCESS_TYPE_TIME_BASED');
    } finally {
      dp.clock.advance(-(24 * 3_600_000 + 1000));
    }
  });

  it('an identical job still in progress → 409 ALREADY_EXISTS naming it', async () => {
    const { api } = await dp.client({ user: 'erin', resources: ['youtube.comments'], access: '30d' });
    const first = await api.portabilityArchive.initiate({ requestBody: { resources: ['youtube.comments'] } });
    const e = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['youtube.comments'] } }));
    expect(e.status).toBe(409);
    expect(e.error.status).toBe('ALREADY_EXISTS');
    expect(e.error.details![0]).toMatchObject({ reason: 'ALREADY_EXISTS_TIME_BASED', metadata: { job_id: first.data.archiveJobId } });
  });

  it('time filters: accepted for My Activity and Chrome history, in lowerCamel or snake_case; refused for other groups', async () => {
    const { api, token } = await dp.client({ user: 'frank', resources: ['myactivity.youtube', 'chrome.history', 'maps.reviews'], access: '30d' });
    const ok = await api.portabilityArchive.initiate({
      requestBody: { resources: ['myactivity.youtube'], startTime: '2026-01-01T00:00:00Z', endTime: '2026-02-01T00:00:00Z' },
    });
    const state = await waitForState(api, ok.data.archiveJobId!);
    expect(state.startTime).toBe('2026-01-01T00:00:00.000Z');
    expect(state.exportTime).toBe('2026-02-01T00:00:00.000Z');

    const snake = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resources: ['chrome.history'], start_time: '2025-06-01T00:00:00+02:00' }),
    });
    expect(snake.status).toBe(200);
    const job = (await snake.json()) as { archiveJobId: string };
    expect((await waitForState(api, job.archiveJobId)).startTime).toBe('2025-05-31T22:00:00.000Z');

    const unsupported = await googleErrorOf(
      api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'], startTime: '2026-01-01T00:00:00Z' } }),
    );
    expect(unsupported.status).toBe(400);
    expect(unsupported.error.message).toContain('maps.reviews');
    const reversed = await googleErrorOf(
      api.portabilityArchive.initiate({
        requestBody: { resources: ['chrome.history'], startTime: '2026-02-01T00:00:00Z', endTime: '2026-01-01T00:00:00Z' },
      }),
    );
    expect(reversed.status).toBe(400);
    expect(reversed.error.status).toBe('INVALID_ARGUMENT');
    const badTime = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'], startTime: 'yesterday' } }));
    expect(badTime.status).toBe(400);
  });

  it('malformed JSON, wrong types and non-object bodies → 400 INVALID_ARGUMENT, and no job is created', async () => {
    const { token } = await dp.client({ user: 'gina', resources: ['myactivity.search'] });
    const post = (body: string, type = 'application/json') =>
      fetch(`${dp.url}/v1/portabilityArchive:initiate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    for (const body of [
      '{"resources": [',
      '{"resources": "myactivity.search"}',
      '{"resources": [1]}',
      '[]',
      '"x"',
      '{"resources":["myactivity.search"],"startTime":5}',
    ]) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      const json = (await res.json()) as { error: { status: string; code: number } };
      expect(json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    }
    // An unknown field is refused too, as Google's front end does (request-strictness.test.ts has the wording).
    expect((await post('{"resources":["myactivity.search"],"somethingElse":1}')).status).toBe(400);
    // None of them used the one-time export.
    const ok = await post('{"resources":["myactivity.search"]}');
    expect(ok.status).toBe(200);
  });

  it('missing or bad credentials → 401 UNAUTHENTICATED with a WWW-Authenticate challenge', async () => {
    const none = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await none.json()) as any).error.status).toBe('UNAUTHENTICATED');
    const bad = await fetch(`${dp.url}/v1/accessType:check`, { method: 'POST', headers: { authorization: 'Bearer dpa_nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('an expired token → 401', async () => {
    const { api } = await dp.client({ user: 'hank', resources: ['myactivity.search'] });
    dp.clock.advance(2 * 3_600_000);
    try {
      expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
    } finally {
      dp.clock.advance(-2 * 3_600_000);
    }
  });
});
