import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectExpiredArchives } from '../../src/export/index.js';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

describe('authorization.reset and accessType.check', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '10' });
  });
  afterAll(async () => dp.close());

  it("accessType.check lists the token's groups under its access type", async () => {
    const once = await dp.client({ user: 'a', resources: ['myactivity.search', 'chrome.history'] });
    expect((await once.api.accessType.check({})).data).toEqual({ oneTimeResources: ['chrome.history', 'myactivity.search'] });
    const timed = await dp.client({ user: 'a', resources: ['maps.reviews'], access: '180d' });
    expect((await timed.api.accessType.check({ requestBody: {} })).data).toEqual({ timeBasedResources: ['maps.reviews'] });
  });

  it('reset revokes the token, clears one-time exhaustion and schedules the archives for deletion', async () => {
    const { api } = await dp.client({ user: 'resetter', resources: ['play.installs'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');
    const sameClient = await dp.client({ user: 'resetter', resources: ['play.installs'] });
    expect((await googleErrorOf(sameClient.api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } }))).status).toBe(429);
    const otherClient = await dp.client({ user: 'resetter', resources: ['play.installs'], clientId: 'other' });

    const { data, status } = await api.authorization.reset({});
    expect(status).toBe(200);
    expect(data).toEqual({});
    expect((await googleErrorOf(api.accessType.check({}))).status).toBe(401);
    expect((await googleErrorOf(sameClient.api.accessType.check({}))).status).toBe(401);
    // Another client's grant is untouched.
    expect((await otherClient.api.accessType.check({})).status).toBe(200);

    await collectExpiredArchives({ db: dp.dataport.db, blobs: dp.dataport.blobs, now: dp.clock.now });
    expect(await dp.dataport.blobs.list(`archives/${job.archiveJobId}/`)).toEqual([]);

    const fresh = await dp.client({ user: 'resetter', resources: ['play.installs'] });
    const again = await fresh.api.portabilityArchive.initiate({ requestBody: { resources: ['play.installs'] } });
    expect(again.status).toBe(200);
    expect((await waitForState(fresh.api, again.data.archiveJobId!)).state).toBe('COMPLETE');
  });
});
