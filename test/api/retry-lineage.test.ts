import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

// One failed job yields at most one archive: with one-time access, a second retry of the same FAILED job once
// the first was running or done used to export the same groups again.
describe('archiveJobs.retry: one live retry per failed job', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({
      DATAPORT_DEMO_RECORDS: '10',
      DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:1,youtube.posts=fail:1,play.purchases=fail:2,chrome.bookmarks=fail:1,chrome.bookmarks=slow:1500',
    });
  });
  afterAll(async () => dp.close());

  const stateName = (id: string) => ({ name: `archiveJobs/${id}/portabilityArchiveState` });

  it('retrying a FAILED job again after its retry completed → 400 FAILED_PRECONDITION naming the retry; no new job', async () => {
    const { api } = await dp.client({ user: 'alice', resources: ['maps.reviews'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('FAILED');
    const { data: retry } = await api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` });
    expect((await waitForState(api, retry.archiveJobId!)).state).toBe('COMPLETE');

    const e = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` }));
    expect(e.status).toBe(400);
    expect(e.error.status).toBe('FAILED_PRECONDITION');
    expect(e.error.message).toBe(`This archive job has already been retried: archive job ${retry.archiveJobId} is COMPLETE. Poll that job instead.`);
    const jobs = await dp.dataport.db.selectFrom('jobs').select('id').where('user_id', '=', 'alice').execute();
    expect(jobs).toHaveLength(2);
    expect((await api.archiveJobs.getPortabilityArchiveState(stateName(job.archiveJobId!))).data.state).toBe('FAILED');
  });

  it('while the retry is IN_PROGRESS another retry is refused, and still refused once it completes', async () => {
    const { api } = await dp.client({ user: 'bob', resources: ['chrome.bookmarks'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.bookmarks'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('FAILED');
    const { data: retry } = await api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` });
    // The group takes at least 1.5 s, so the retry is still running when this answer comes.
    const running = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` }));
    expect(running.error.status).toBe('FAILED_PRECONDITION');
    expect(running.error.message).toContain(`archive job ${retry.archiveJobId} is `);
    expect((await waitForState(api, retry.archiveJobId!)).state).toBe('COMPLETE');
    const done = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` }));
    expect(done.error.message).toContain(`archive job ${retry.archiveJobId} is COMPLETE`);
  });

  it('a failed retry may be retried; then neither the original nor the failed retry can be retried again', async () => {
    const { api } = await dp.client({ user: 'carol', resources: ['play.purchases'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.purchases'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('FAILED');
    const { data: first } = await api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` });
    expect((await waitForState(api, first.archiveJobId!)).state).toBe('FAILED');
    const { data: second } = await api.archiveJobs.retry({ name: `archiveJobs/${first.archiveJobId}` });
    expect((await waitForState(api, second.archiveJobId!)).state).toBe('COMPLETE');
    for (const id of [job.archiveJobId!, first.archiveJobId!]) {
      const e = await googleErrorOf(api.archiveJobs.retry({ name: `archiveJobs/${id}` }));
      expect(e.error.status).toBe('FAILED_PRECONDITION');
      expect(e.error.message).toContain(`archive job ${second.archiveJobId} is COMPLETE`);
    }
  });

  it('two retries of one FAILED job sent at once: one starts a job, the other → 400 FAILED_PRECONDITION', async () => {
    const { api } = await dp.client({ user: 'dave', resources: ['youtube.posts'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['youtube.posts'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('FAILED');
    const results = await Promise.allSettled([0, 1].map(() => api.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` })));
    const started = results.filter((r) => r.status === 'fulfilled');
    expect(started).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.response.status).toBe(400);
    expect(refused.reason.response.data.error.status).toBe('FAILED_PRECONDITION');
  });
});
