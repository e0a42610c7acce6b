import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

describe('archiveJobs.retry and archiveJobs.cancel', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({
      DATAPORT_DEMO_RECORDS: '40',
      DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:1,play.purchases=fail:4,youtube.posts=flaky:2,myactivity.shopping=slow:20000,chrome.bookmarks=slow:1500',
    });
  });
  afterAll(async () => dp.close());

  it('a fault-injected job ends FAILED; retry starts a new job that completes; the original stays FAILED', async () => {
    const { api } = await dp.client({ user: 'alice', resources: ['maps.reviews'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
    const failed = await waitForState(api, job.archiveJobId!);
    expect(failed.state).toBe('FAILED');
    expect(failed.urls ?? []).toEqual([]);

    const { data: retried } = await api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` });
    expect(retried.archiveJobId).toMatch(/^[0-9a-f]{32}$/);
    expect(retried.archiveJobId).not.toBe(job.archiveJobId);
    const done = await waitForState(api, retried.archiveJobId!);
    expect(done.state).toBe('COMPLETE');
    const entries = await readZip((await download(done.urls![0]!)).body);
    expect(entries.some((e) => e.name.startsWith('Portability/Maps'))).toBe(true);

    const original = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
    expect(original.data.state).toBe('FAILED');
    // A COMPLETE job cannot be retried.
    const e = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${retried.archiveJobId}` }));
    expect(e.status).toBe(400);
    expect(e.error.status).toBe('FAILED_PRECONDITION');
  });

  it('at most three retries of one failed job', async () => {
    const { api } = await dp.client({ user: 'bob', resources: ['play.purchases'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.purchases'] } });
    let current = job.archiveJobId!;
    expect((await waitForState(api, current)).state).toBe('FAILED');
    for (let i = 0; i < 3; i++) {
      const { data } = await api.archiveJobs.retry({ name: `archiveJobs/${current}` });
      current = data.archiveJobId!;
      expect((await waitForState(api, current)).state).toBe('FAILED');
    }
    const e = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${current}` }));
    expect(e.status).toBe(400);
    expect(e.error.status).toBe('FAILED_PRECONDITION');
    expect(e.error.message).toContain('3');
  });

  it('transient source errors are absorbed: the job retries with backoff and completes', async () => {
    const { api } = await dp.client({ user: 'carol', resources: ['youtube.posts'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['youtube.posts'] } });
    const state = await waitForState(api, job.archiveJobId!);
    expect(state.state).toBe('COMPLETE');
    const entries = await readZip((await download(state.urls![0]!)).body);
    const index = JSON.parse(entries.find((e) => e.name.endsWith('archive_browser.json'))!.content.toString());
    expect(index.totals.records).toBeGreaterThan(0);
    // Only the published attempt's archive remains in the store.
    expect(await dp.dataport.blobs.list(`archives/${job.archiveJobId}/`)).toHaveLength(1);
  });

  it('cancel stops a running export, deletes its partial output, and the job stays CANCELLED', async () => {
    const { api } = await dp.client({ user: 'dave', resources: ['myactivity.shopping'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    await new Promise((r) => setTimeout(r, 500));
    const { data, status } = await api.archiveJobs.cancel({ name: `archiveJobs/${job.archiveJobId}` });
    expect(status).toBe(200);
    expect(data).toEqual({});
    const state = await waitForState(api, job.archiveJobId!, (s) => s !== 'IN_PROGRESS', 5000);
    expect(state.state).toBe('CANCELLED');
    const prefix = `archives/${job.archiveJobId}/`;
    const deadline = Date.now() + 5000;
    while ((await dp.dataport.blobs.list(prefix)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await dp.dataport.blobs.list(prefix)).toEqual([]);

    const again = await googleErrorOf(api.archiveJobs.cancel({ name: `archiveJobs/${job.archiveJobId}` }));
    expect(again.status).toBe(400);
    expect(again.error.status).toBe('FAILED_PRECONDITION');
    expect((await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` }))).error.status).toBe('FAILED_PRECONDITION');
  });

  it('cancelling a COMPLETE job → 400 FAILED_PRECONDITION, state unchanged', async () => {
    const { api } = await dp.client({ user: 'erin', resources: ['chrome.bookmarks'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.bookmarks'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');
    const e = await googleErrorOf(api.archiveJobs.cancel({ name: `archiveJobs/${job.archiveJobId}` }));
    expect(e.status).toBe(400);
    expect(e.error.status).toBe('FAILED_PRECONDITION');
    const after = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
    expect(after.data.state).toBe('COMPLETE');
    expect(after.data.urls).toHaveLength(1);
  });
});
