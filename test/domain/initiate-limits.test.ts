import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIME_BASED_INTERVAL_MS } from '../../src/jobs/index.js';
import { createJobDomain, refusedWith, type JobDomain } from './job-domain.js';

// portabilityArchive.initiate's rules, straight on the jobs domain (test/api/limits.test.ts covers the same
// rules through HTTP). One database for the file; each test has users of its own.
let d: JobDomain;
beforeAll(async () => {
  d = await createJobDomain({ maxJobsPerUser: 2 });
});
afterAll(() => d.close());

describe('initiate', () => {
  it("creates an IN_PROGRESS job under the grant's access type and dispatches its id once", async () => {
    const { caller } = await d.consent({ user: 'u-initiate', resources: ['myactivity.search', 'chrome.history'] });
    const before = d.dispatched.length;
    const at = d.now();
    const result = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    expect(result.accessType).toBe('ACCESS_TYPE_ONE_TIME');
    expect(d.dispatched.slice(before)).toEqual([result.archiveJobId]);
    const row = await d.row(result.archiveJobId);
    expect(row).toMatchObject({ state: 'IN_PROGRESS', user_id: 'u-initiate', client_id: 'app', grant_id: caller.grantId, retry_of: null, export_time: at });
    const { state, holdsUntil } = await d.jobs.getArchiveState(caller, result.archiveJobId);
    // Without URLs, the answer holds until a write (or its grant's expiry: a one-time grant has none).
    expect(holdsUntil).toBe(Infinity);
    expect(state).toEqual({ name: `archiveJobs/${result.archiveJobId}/portabilityArchiveState`, state: 'IN_PROGRESS', exportTime: new Date(at).toISOString() });
  });

  it('a time window: endTime is the export time; groups without time filters and an inverted window are refused', async () => {
    const { caller } = await d.consent({ user: 'u-window', resources: ['myactivity.search', 'youtube.subscriptions'], access: '30d' });
    const startTime = new Date(d.now() - 7 * 24 * 3_600_000);
    const endTime = new Date(d.now() - 24 * 3_600_000);
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'], startTime, endTime });
    expect((await d.jobs.getArchiveState(caller, archiveJobId)).state).toMatchObject({ startTime: startTime.toISOString(), exportTime: endTime.toISOString() });
    const unsupported = await refusedWith('TIME_FILTER_NOT_SUPPORTED', d.jobs.initiateArchive(caller, { resources: ['youtube.subscriptions'], startTime }));
    expect(unsupported.message).toContain('youtube.subscriptions');
    await refusedWith('INVALID_TIME_RANGE', d.jobs.initiateArchive(caller, { resources: ['myactivity.search'], startTime: endTime, endTime: startTime }));
  });

  it('refuses bad resource lists, each with its own error, and writes and dispatches nothing', async () => {
    const { caller } = await d.consent({ user: 'u-bad-input', resources: ['myactivity.search'] });
    const before = d.dispatched.length;
    await refusedWith('INVALID_REQUEST', d.jobs.initiateArchive(caller, { resources: [] }));
    const unknown = await refusedWith('UNKNOWN_RESOURCE', d.jobs.initiateArchive(caller, { resources: ['no.such.group', 'myactivity.search'] }));
    expect(unknown.message).toBe('Unknown resource group: no.such.group');
    await refusedWith('RESOURCES_NOT_AUTHORIZED', d.jobs.initiateArchive(caller, { resources: ['chrome.history'] }));
    expect(d.dispatched.length).toBe(before);
    expect(await d.operator.listJobs({ userId: 'u-bad-input', limit: 10 })).toEqual([]);
  });

  it('an identical job already running is ALREADY_EXISTS, naming it', async () => {
    const { caller } = await d.consent({ user: 'u-duplicate', resources: ['myactivity.search', 'chrome.history'], access: '30d' });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['chrome.history', 'myactivity.search'] });
    // The same groups in another order are the same request.
    const e = await refusedWith('ALREADY_EXISTS', d.jobs.initiateArchive(caller, { resources: ['myactivity.search', 'chrome.history'] }));
    expect(e.metadata).toEqual({ job_id: archiveJobId });
    expect(e.message).toContain(archiveJobId);
  });
});

describe('one-time access', () => {
  it('each group once per user and client, whatever time passes; other groups stay open', async () => {
    const { caller } = await d.consent({ user: 'u-once', resources: ['myactivity.search', 'chrome.history'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.complete(archiveJobId);
    d.advance(3 * TIME_BASED_INTERVAL_MS);
    const e = await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(caller, { resources: ['myactivity.search', 'chrome.history'] }));
    expect(e.metadata).toEqual({ previous_job_ids: archiveJobId });
    await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
  });

  it('a failed or cancelled job still uses the group up (only a retry may export it again)', async () => {
    const { caller } = await d.consent({ user: 'u-once-failed', resources: ['myactivity.search', 'chrome.history'] });
    const failed = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.fail(failed.archiveJobId);
    const cancelled = await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
    await d.jobs.cancelJob(caller, cancelled.archiveJobId);
    await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] }));
    await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(caller, { resources: ['chrome.history'] }));
  });

  it('a new consent of the same app does not reopen the group (only a reset does); another app may export it', async () => {
    const first = await d.consent({ user: 'u-once-again', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(first.caller, { resources: ['myactivity.search'] });
    await d.complete(archiveJobId);
    const again = await d.consent({ user: 'u-once-again', resources: ['myactivity.search'] });
    const e = await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(again.caller, { resources: ['myactivity.search'] }));
    expect(e.metadata.previous_job_ids).toBe(archiveJobId);
    const otherApp = await d.consent({ user: 'u-once-again', client: 'other-app', resources: ['myactivity.search'] });
    await d.jobs.initiateArchive(otherApp.caller, { resources: ['myactivity.search'] });
  });
});

describe('time-based access', () => {
  it('each group once per 24 hours, naming when the next export is allowed', async () => {
    const { caller } = await d.consent({ user: 'u-timed', resources: ['myactivity.search', 'chrome.history'], access: '180d' });
    const first = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    expect(first.accessType).toBe('ACCESS_TYPE_TIME_BASED');
    const exportedAt = d.now();
    await d.complete(first.archiveJobId);
    d.advance(TIME_BASED_INTERVAL_MS - 1);
    const e = await refusedWith('TIME_BASED_EXHAUSTED', d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] }));
    const nextAllowed = new Date(exportedAt + TIME_BASED_INTERVAL_MS).toISOString();
    expect(e.metadata).toEqual({ previous_job_ids: first.archiveJobId, timestamp_after_24hrs: nextAllowed });
    expect(e.message).toContain(nextAllowed);
    // Another group is not held back by this one.
    await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
    d.advance(1);
    await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
  });

  it("checkAccessType names every granted group under the grant's access type, sorted", async () => {
    const timed = await d.consent({ user: 'u-access-type', resources: ['myactivity.search', 'chrome.history'], access: '30d' });
    expect(d.jobs.checkAccessType(timed.caller)).toEqual({ oneTimeResources: [], timeBasedResources: ['chrome.history', 'myactivity.search'] });
    const once = await d.consent({ user: 'u-access-type', client: 'other-app', resources: ['myactivity.search'] });
    expect(d.jobs.checkAccessType(once.caller)).toEqual({ oneTimeResources: ['myactivity.search'], timeBasedResources: [] });
  });
});

describe('the per-user cap on running jobs', () => {
  it("counts one user's running jobs across apps; a finished or cancelled job frees its place", async () => {
    const a = await d.consent({ user: 'u-busy', client: 'app-a', resources: ['myactivity.search', 'chrome.history'], access: '30d' });
    const b = await d.consent({ user: 'u-busy', client: 'app-b', resources: ['myactivity.search', 'chrome.history'], access: '30d' });
    const first = await d.jobs.initiateArchive(a.caller, { resources: ['myactivity.search'] });
    await d.jobs.initiateArchive(b.caller, { resources: ['myactivity.search'] });
    const before = d.dispatched.length;
    const e = await refusedWith('TOO_MANY_JOBS', d.jobs.initiateArchive(a.caller, { resources: ['chrome.history'] }));
    expect(e.metadata).toEqual({ quota_limit: 'ConcurrentArchiveJobsPerUser', quota_limit_value: '2' });
    expect(d.dispatched.length).toBe(before);
    // Another user is not held back by this one.
    const other = await d.consent({ user: 'u-not-busy', client: 'app-a', resources: ['chrome.history'] });
    await d.jobs.initiateArchive(other.caller, { resources: ['chrome.history'] });
    await d.jobs.cancelJob(a.caller, first.archiveJobId);
    await d.jobs.initiateArchive(a.caller, { resources: ['chrome.history'] });
  });

  it('applies to retries too', async () => {
    const { caller } = await d.consent({ user: 'u-busy-retry', resources: ['myactivity.search', 'chrome.history', 'youtube.subscriptions'], access: '30d' });
    const failed = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.fail(failed.archiveJobId);
    await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
    await d.jobs.initiateArchive(caller, { resources: ['youtube.subscriptions'] });
    await refusedWith('TOO_MANY_JOBS', d.jobs.retryJob(caller, failed.archiveJobId));
  });
});
