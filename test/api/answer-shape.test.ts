import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

const SERVICE = 'dataportability.googleapis.com';
const RPC = 'google.dataportability.v1.DataPortabilityService';
const INVALID_CREDENTIALS =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** Answers as Google writes them: proto3 JSON results, its front end's auth errors, downloads' errors. */
describe("answers are shaped as Google's", () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5', DATAPORT_DEMO_FAULTS: 'youtube.comments=slow:3000' });
  });
  afterAll(async () => dp.close());

  it('a missing token → 401 CREDENTIALS_MISSING in the googleapis.com domain, naming the service and method', async () => {
    const res = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resources":["maps.reviews"]}',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toEqual({
      code: 401,
      status: 'UNAUTHENTICATED',
      message:
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'CREDENTIALS_MISSING',
          domain: 'googleapis.com',
          metadata: { service: SERVICE, method: `${RPC}.InitiatePortabilityArchive` },
        },
      ],
    });
  });

  // Before any job exists: moving the clock 2 hours with a job running is another test's subject.
  it('an expired token → 401 ACCESS_TOKEN_EXPIRED; an unknown one → ACCESS_TOKEN_TYPE_UNSUPPORTED', async () => {
    const { api } = await dp.client({ user: 'bea', resources: ['myactivity.search'] });
    dp.clock.advance(2 * 3_600_000);
    try {
      const e = await googleErrorOf(api.accessType.check({}));
      expect(e.status).toBe(401);
      expect(e.error).toEqual({
        code: 401,
        status: 'UNAUTHENTICATED',
        message: INVALID_CREDENTIALS,
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_EXPIRED',
            domain: 'googleapis.com',
            metadata: { service: SERVICE, method: `${RPC}.CheckAccessType` },
          },
        ],
      });
    } finally {
      dp.clock.advance(-2 * 3_600_000);
    }
    const unknown = await fetch(`${dp.url}/v1/archiveJobs/x:retry`, { method: 'POST', headers: { authorization: 'Bearer dpa_unknown' } });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as any).error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
        domain: 'googleapis.com',
        metadata: { service: SERVICE, method: `${RPC}.RetryPortabilityArchive` },
      },
    ]);
  });

  it('a group the token does not grant → 403 with an ErrorInfo (ACCESS_TOKEN_SCOPE_INSUFFICIENT, service and method)', async () => {
    const { api } = await dp.client({ user: 'cy', resources: ['myactivity.search'] });
    const e = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } }));
    expect(e.status).toBe(403);
    expect(e.error).toEqual({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: 'The requested resources are not authorized by the OAuth token.',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service: SERVICE, method: `${RPC}.InitiatePortabilityArchive` },
        },
      ],
    });
  });

  it('proto3 JSON: no `urls` before COMPLETE, no empty resource list from accessType.check, `{}` from cancel', async () => {
    const { api, token } = await dp.client({ user: 'ada', resources: ['youtube.comments'], access: '30d' });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['youtube.comments'] } });
    const raw = await fetch(`${dp.url}/v1/archiveJobs/${job.archiveJobId}/portabilityArchiveState`, { headers: { authorization: `Bearer ${token}` } });
    const state = (await raw.json()) as Record<string, unknown>;
    expect(state.state).toBe('IN_PROGRESS');
    expect(Object.keys(state).sort()).toEqual(['exportTime', 'name', 'state']);
    const { data: viaClient } = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
    expect(viaClient.urls).toBeUndefined();
    // A `fields` mask selects from what is there.
    const masked = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState`, fields: 'urls,state' });
    expect(masked.data).toEqual({ state: 'IN_PROGRESS' });
    expect((await api.accessType.check({})).data).toEqual({ timeBasedResources: ['youtube.comments'] });
    expect((await api.archiveJobs.cancel({ name: `archiveJobs/${job.archiveJobId}` })).data).toEqual({});
    // A CANCELLED job has no `urls` either; waiting for it also lets the worker let go of it before close.
    expect((await waitForState(api, job.archiveJobId!)).urls).toBeUndefined();
  });

  it.skipIf(process.env.DATAPORT_TEST_STACK === 'scaled')(
    'download errors say their own status and name no file to save (embedded: the local store serves the URLs)',
    async () => {
      const { api } = await dp.client({ user: 'dee', resources: ['play.library'] });
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.library'] } });
      const url = (await waitForState(api, job.archiveJobId!)).urls![0]!;
      const ranged = await fetch(url, { headers: { range: 'bytes=999999999-' } });
      expect(ranged.status).toBe(416);
      expect(ranged.headers.get('content-disposition')).toBeNull();
      expect(ranged.headers.get('content-type')).toBe('application/json; charset=UTF-8');
      expect(((await ranged.json()) as any).error).toMatchObject({ code: 416, status: 'OUT_OF_RANGE' });
      const forged = new URL(url);
      forged.searchParams.set('signature', 'x');
      const denied = await fetch(forged);
      expect(denied.status).toBe(403);
      expect(denied.headers.get('content-disposition')).toBeNull();
      expect(((await denied.json()) as any).error.code).toBe(403);
      // The archive itself still names a file to save: archive-state.test.ts checks that answer.
    },
  );
});
