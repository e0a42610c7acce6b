import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRunsSql } from '../../src/store/index.js';
import { AdminHttp, runsOnJobPage, signedInOperator, trailActions } from '../helpers/admin-http.js';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

// The console's job page over HTTP: every run of a job (a transient failure, then the run that published),
// and the retry in the original job's trail. Runs on the scaled stack too (DATAPORT_TEST_STACK=scaled).
let dp: TestDataport;
let admin: AdminHttp;

beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '4', DATAPORT_DEMO_FAULTS: 'chrome.history=flaky:1,maps.reviews=fail:1' });
  admin = await signedInOperator(dp);
}, 60_000);

afterAll(async () => {
  await dp?.close();
});

describe('the job page', () => {
  it('lists each run: a transient failure with its message, then the run that published, with records and bytes', async () => {
    const { api } = await dp.client({ user: 'ayse', resources: ['chrome.history'], access: '30d' });
    const id = (await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } })).data.archiveJobId!;
    expect((await waitForState(api, id)).state).toBe('COMPLETE');

    const page = await admin.request(`/admin/jobs/${id}`);
    expect(page.status).toBe(200);
    const runs = runsOnJobPage(page.html);
    expect(runs.map((r) => [r.attempt, r.outcome.split(' | ')[0]])).toEqual([
      [1, 'Transient failure'],
      [2, 'Published'],
    ]);
    expect(runs[0]!.outcome).toMatch(/TransientSourceError/);
    expect(runs[0]!.records).toBe('—');
    expect(Number(runs[1]!.records)).toBeGreaterThan(0);
    expect(runs[1]!.bytes).toMatch(/\d.*(B|KiB|MiB)$/);
    expect(runs.every((r) => r.worker !== '')).toBe(true);

    // A reset deletes the archive; the runs are operator history and stay.
    await api.authorization.reset();
    const after = await admin.request(`/admin/jobs/${id}`);
    expect(runsOnJobPage(after.html).map((r) => r.outcome.split(' | ')[0])).toEqual(['Transient failure', 'Published']);
  }, 60_000);

  it("shows the retry in the original job's trail as well as the new job's", async () => {
    const { api } = await dp.client({ user: 'mehmet', resources: ['maps.reviews'], access: '30d' });
    const original = (await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } })).data.archiveJobId!;
    expect((await waitForState(api, original)).state).toBe('FAILED');
    const failed = runsOnJobPage((await admin.request(`/admin/jobs/${original}`)).html);
    expect(failed.map((r) => r.outcome.split(' | ')[0])).toEqual(['Failed']);

    const retried = await admin.act(`/admin/jobs/${original}`, `/admin/jobs/${original}/retry`);
    expect(retried.status).toBe(303);
    const retryId = retried.location!.split('/').at(-1)!.split('?')[0]!;
    expect((await waitForState(api, retryId)).state).toBe('COMPLETE');

    const originalTrail = trailActions((await admin.request(`/admin/jobs/${original}`)).html);
    expect(originalTrail[0]).toBe('retry');
    expect(originalTrail).toContain('initiate');
    const retryPage = (await admin.request(`/admin/jobs/${retryId}`)).html;
    expect(trailActions(retryPage)).toEqual(['publish', 'retry']);
    expect(runsOnJobPage(retryPage).map((r) => r.outcome)).toEqual(['Published']);
  }, 60_000);
});

describe('job_runs fencing', () => {
  it("a later claim closes a lost run as lapsed, and the stale worker's end writes only its own row", async () => {
    const db = dp.dataport.db;
    await jobRunsSql.startRun(db, { jobId: 'fence-job', attempt: 1, worker: 'w-old', startedAt: 1000 });
    await jobRunsSql.startRun(db, { jobId: 'fence-job', attempt: 2, worker: 'w-new', startedAt: 2000 });
    expect((await jobRunsSql.listRuns(db, 'fence-job')).map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'lapsed'],
      [2, null],
    ]);
    await jobRunsSql.endRun(db, 'fence-job', 2, { endedAt: 3000, outcome: 'complete', records: 5, bytes: 900 });
    // The old worker learns late that its run was taken over: its own row says so; the new run's stays.
    await jobRunsSql.endRun(db, 'fence-job', 1, { endedAt: 3500, outcome: 'discarded', records: 5, bytes: 880 });
    expect((await jobRunsSql.listRuns(db, 'fence-job')).map((r) => [r.attempt, r.worker, r.outcome, r.bytes])).toEqual([
      [1, 'w-old', 'discarded', 880],
      [2, 'w-new', 'complete', 900],
    ]);
  });
});
