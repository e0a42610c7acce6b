import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RETRIES_PER_JOB } from '../../src/jobs/index.js';
import { createJobDomain, refusedWith, type JobDomain } from './job-domain.js';

// archiveJobs.retry's rules, straight on the jobs domain (test/api/retry-lineage.test.ts and
// retry-cancel.test.ts cover them through HTTP with real runs).
let d: JobDomain;
beforeAll(async () => {
  d = await createJobDomain();
});
afterAll(() => d.close());

/** A user's one-time consent and a job of it that has FAILED. */
async function failedJob(user: string) {
  const { caller } = await d.consent({ user, resources: ['myactivity.search', 'chrome.history'] });
  const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'], startTime: new Date(d.now() - 3_600_000) });
  await d.fail(archiveJobId);
  return { caller, failedId: archiveJobId };
}

describe('retry', () => {
  it("of a FAILED job: a new job id, dispatched, with the same groups and window, in the failed job's lineage", async () => {
    const { caller, failedId } = await failedJob('u-retry');
    const failed = await d.row(failedId);
    const before = d.dispatched.length;
    const { archiveJobId } = await d.jobs.retryJob(caller, failedId);
    expect(archiveJobId).not.toBe(failedId);
    expect(d.dispatched.slice(before)).toEqual([archiveJobId]);
    expect(await d.row(archiveJobId)).toMatchObject({
      state: 'IN_PROGRESS',
      retry_of: failedId,
      resources: failed.resources,
      access_type: 'ACCESS_TYPE_ONE_TIME',
      start_time: failed.start_time,
      end_time: null,
      export_time: failed.export_time,
      grant_id: caller.grantId,
    });
    // The failed job stays FAILED: a job never leaves a final state.
    expect((await d.jobs.getArchiveState(caller, failedId)).state.state).toBe('FAILED');
    expect((await d.operator.showJob(archiveJobId)).original?.id).toBe(failedId);
  });

  it('a retry does not count against one-time access: the group exported by the original can be retried', async () => {
    const { caller, failedId } = await failedJob('u-retry-once');
    await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] }));
    await d.jobs.retryJob(caller, failedId);
  });

  it('of a job that is not FAILED is NOT_RETRYABLE, naming its state', async () => {
    const { caller } = await d.consent({ user: 'u-not-retryable', resources: ['myactivity.search', 'chrome.history', 'youtube.subscriptions'] });
    const running = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    const complete = await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
    await d.complete(complete.archiveJobId);
    const cancelled = await d.jobs.initiateArchive(caller, { resources: ['youtube.subscriptions'] });
    await d.jobs.cancelJob(caller, cancelled.archiveJobId);
    const before = d.dispatched.length;
    for (const [id, state] of [
      [running.archiveJobId, 'IN_PROGRESS'],
      [complete.archiveJobId, 'COMPLETE'],
      [cancelled.archiveJobId, 'CANCELLED'],
    ] as const) {
      const e = await refusedWith('NOT_RETRYABLE', d.jobs.retryJob(caller, id));
      expect(e.message).toBe(`Only a FAILED archive job can be retried; this job is ${state}.`);
    }
    expect(d.dispatched.length).toBe(before);
  });

  it('again while its retry runs, or after it completed, is ALREADY_RETRIED naming the retry and its state', async () => {
    const { caller, failedId } = await failedJob('u-retried');
    const { archiveJobId: retryId } = await d.jobs.retryJob(caller, failedId);
    const running = await refusedWith('ALREADY_RETRIED', d.jobs.retryJob(caller, failedId));
    expect(running.metadata).toEqual({ job_id: retryId });
    expect(running.message).toBe(`This archive job has already been retried: archive job ${retryId} is IN_PROGRESS. Poll that job instead.`);
    await d.complete(retryId);
    const done = await refusedWith('ALREADY_RETRIED', d.jobs.retryJob(caller, failedId));
    expect(done.message).toContain(`archive job ${retryId} is COMPLETE`);
    expect((await d.operator.showJob(failedId)).retries.map((r) => r.id)).toEqual([retryId]);
  });

  it("a failed retry may be retried, in the original's lineage, up to the limit; then RETRY_LIMIT_REACHED", async () => {
    const { caller, failedId } = await failedJob('u-retry-limit');
    let last = failedId;
    const retries: string[] = [];
    for (let i = 0; i < MAX_RETRIES_PER_JOB; i++) {
      const { archiveJobId } = await d.jobs.retryJob(caller, last);
      // Every retry points at the original, not at the retry it retried.
      expect((await d.row(archiveJobId)).retry_of).toBe(failedId);
      await d.fail(archiveJobId);
      retries.push(archiveJobId);
      last = archiveJobId;
    }
    for (const id of [failedId, ...retries]) {
      const e = await refusedWith('RETRY_LIMIT_REACHED', d.jobs.retryJob(caller, id));
      expect(e.message).toBe(`This archive job has been retried the maximum of ${MAX_RETRIES_PER_JOB} times; new consent is required.`);
    }
    expect((await d.operator.showJob(failedId)).retries.map((r) => r.id)).toEqual(retries);
  });

  it("of another user's or app's job, or one the caller's groups do not cover, is JOB_NOT_FOUND", async () => {
    const { failedId } = await failedJob('u-retry-owner');
    const stranger = await d.consent({ user: 'u-stranger', resources: ['myactivity.search'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.retryJob(stranger.caller, failedId));
    const otherApp = await d.consent({ user: 'u-retry-owner', client: 'other-app', resources: ['myactivity.search'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.retryJob(otherApp.caller, failedId));
    const narrower = await d.consent({ user: 'u-retry-owner', resources: ['chrome.history'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.retryJob(narrower.caller, failedId));
    await refusedWith('JOB_NOT_FOUND', d.jobs.retryJob(stranger.caller, 'no-such-job'));
  });
});
