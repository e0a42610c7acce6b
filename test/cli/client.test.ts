import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortabilityClient, PortabilityApiError, parseErrorResponse } from '../../src/client/index.js';
import { startDataport, waitForState, googleClient, type TestDataport } from '../helpers/dataport.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the documents are plain JSON; the test walks them untyped */

describe('the typed client (src/client) and the served OpenAPI document', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '10', DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:1' });
  });
  afterAll(async () => dp.close());

  it('/openapi.json is served and describes the same methods, paths and verbs as the live discovery document', async () => {
    const [openapi, discovery] = await Promise.all([
      fetch(`${dp.url}/openapi.json`).then(async (r) => ({ status: r.status, body: (await r.json()) as any })),
      fetch(`${dp.url}/$discovery/rest?version=v1`).then((r) => r.json() as Promise<any>),
    ]);
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(openapi.body.servers).toEqual([{ url: dp.url }]);
    const fromDiscovery = Object.values<any>(discovery.resources)
      .flatMap((r) => Object.values<any>(r.methods))
      .map((m) => `${m.httpMethod} /${String(m.flatPath).replace(/\{\+?(\w+)\}/g, '{archiveJobId}')} ${m.id}`)
      .sort();
    const fromOpenApi = Object.entries<any>(openapi.body.paths)
      .flatMap(([p, item]) => Object.entries<any>(item).map(([verb, op]) => `${verb.toUpperCase()} ${p} ${op.operationId}`))
      .sort();
    expect(fromOpenApi).toEqual(fromDiscovery);
    expect(Object.keys(openapi.body.components.securitySchemes.oauth2.flows.authorizationCode.scopes).sort()).toEqual(
      Object.keys(discovery.auth.oauth2.scopes).sort(),
    );
  });

  it('runs all six methods; errors arrive as PortabilityApiError with status, reason and metadata', async () => {
    const { token } = await dp.client({ user: 'typed', resources: ['maps.reviews', 'chrome.history'], access: '30d' });
    const api = createPortabilityClient({ rootUrl: `${dp.url}/`, accessToken: async () => token });

    expect(await api.checkAccessType()).toEqual({ timeBasedResources: ['chrome.history', 'maps.reviews'] });
    const failed = await api.initiate({ resources: ['maps.reviews'] });
    expect(failed.accessType).toBe('ACCESS_TYPE_TIME_BASED');
    expect((await waitForState(googleClient(dp.url, token), failed.archiveJobId)).state).toBe('FAILED');

    const cancelError = await api.cancel(failed.archiveJobId).catch((e: unknown) => e);
    expect(cancelError).toBeInstanceOf(PortabilityApiError);
    expect(cancelError).toMatchObject({ httpStatus: 400, status: 'FAILED_PRECONDITION' });

    const { archiveJobId } = await api.retry(failed.archiveJobId);
    expect((await waitForState(googleClient(dp.url, token), archiveJobId)).state).toBe('COMPLETE');
    const state = await api.getArchiveState(archiveJobId);
    expect(state).toMatchObject({ name: `archiveJobs/${archiveJobId}/portabilityArchiveState`, state: 'COMPLETE' });
    expect(state.urls).toHaveLength(1);

    const history = await api.initiate({ resources: ['chrome.history'] });
    await waitForState(googleClient(dp.url, token), history.archiveJobId);
    const exhausted = await api.initiate({ resources: ['chrome.history'] }).catch((e: unknown) => e);
    expect(exhausted).toMatchObject({
      httpStatus: 429,
      status: 'RESOURCE_EXHAUSTED',
      reason: 'RESOURCE_EXHAUSTED_TIME_BASED',
      metadata: { timestamp_after_24hrs: expect.any(String), previous_job_ids: expect.stringContaining(history.archiveJobId) },
    });

    const missing = await api.getArchiveState('0'.repeat(32)).catch((e: unknown) => e);
    expect(missing).toMatchObject({ httpStatus: 404, status: 'NOT_FOUND' });

    expect(await api.resetAuthorization()).toEqual({});
    const revoked = await api.checkAccessType().catch((e: unknown) => e);
    expect(revoked).toMatchObject({ httpStatus: 401, status: 'UNAUTHENTICATED' });
  });

  it('an answer that is not Google-shaped still becomes a typed error', () => {
    const e = parseErrorResponse(502, '<html>Bad Gateway</html>');
    expect(e).toMatchObject({ httpStatus: 502, status: 'UNKNOWN', reason: undefined, metadata: {} });
    expect(e.message).toContain('Bad Gateway');
  });
});
