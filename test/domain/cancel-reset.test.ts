import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/index.js';
import { auditSql, jobsSql } from '../../src/store/index.js';
import { createJobDomain, refusedWith, type JobDomain } from './job-domain.js';

// archiveJobs.cancel and authorization.reset, straight on the jobs domain (test/api/retry-cancel.test.ts,
// reset-access-type.test.ts and withdrawn-consent.test.ts cover them through HTTP).
let d: JobDomain;
beforeAll(async () => {
  d = await createJobDomain();
});
afterAll(() => d.close());

describe('cancel', () => {
  it('of an IN_PROGRESS job: CANCELLED, and a run in this process is told to stop', async () => {
    const { caller } = await d.consent({ user: 'u-cancel', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    const dispatched = d.dispatched.length;
    expect(await d.jobs.cancelJob(caller, archiveJobId)).toEqual({});
    expect((await d.jobs.getArchiveState(caller, archiveJobId)).state.state).toBe('CANCELLED');
    expect(d.stoppedLocally).toContain(archiveJobId);
    expect(d.dispatched.length).toBe(dispatched);
    // Cancelled is final: a second cancel is refused, naming the state.
    const again = await refusedWith('NOT_CANCELLABLE', d.jobs.cancelJob(caller, archiveJobId));
    expect(again.message).toBe('Only an IN_PROGRESS archive job can be cancelled; this job is CANCELLED.');
  });

  it('of a COMPLETE or FAILED job is NOT_CANCELLABLE, naming its state, and changes nothing', async () => {
    const { caller } = await d.consent({ user: 'u-cancel-final', resources: ['myactivity.search', 'chrome.history'] });
    const complete = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.complete(complete.archiveJobId);
    const failed = await d.jobs.initiateArchive(caller, { resources: ['chrome.history'] });
    await d.fail(failed.archiveJobId);
    for (const [id, state] of [
      [complete.archiveJobId, 'COMPLETE'],
      [failed.archiveJobId, 'FAILED'],
    ] as const) {
      const e = await refusedWith('NOT_CANCELLABLE', d.jobs.cancelJob(caller, id));
      expect(e.message).toContain(`this job is ${state}`);
      expect((await d.row(id)).state).toBe(state);
    }
  });

  it("of another user's or app's job is JOB_NOT_FOUND, and the job runs on", async () => {
    const { caller } = await d.consent({ user: 'u-cancel-owner', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    const stranger = await d.consent({ user: 'u-cancel-stranger', resources: ['myactivity.search'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.cancelJob(stranger.caller, archiveJobId));
    const otherApp = await d.consent({ user: 'u-cancel-owner', client: 'other-app', resources: ['myactivity.search'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.cancelJob(otherApp.caller, archiveJobId));
    expect((await d.row(archiveJobId)).state).toBe('IN_PROGRESS');
  });
});

describe('reset', () => {
  it('revokes the consent: its tokens stop working and its jobs are not found any more', async () => {
    const { caller, token } = await d.consent({ user: 'u-reset-revoke', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.complete(archiveJobId);
    expect(await d.jobs.resetAuthorization(caller)).toEqual({});
    await expect(d.authenticate(token)).rejects.toBeInstanceOf(AuthError);
    // A new consent of the same app does not reopen the old grant's job.
    const renewed = await d.consent({ user: 'u-reset-revoke', resources: ['myactivity.search'] });
    await refusedWith('JOB_NOT_FOUND', d.jobs.getArchiveState(renewed.caller, archiveJobId));
    await refusedWith('JOB_NOT_FOUND', d.jobs.cancelJob(renewed.caller, archiveJobId));
  });

  it('cancels the running jobs of the user and app, and tells a run in this process to stop', async () => {
    const { caller } = await d.consent({ user: 'u-reset-running', resources: ['myactivity.search', 'chrome.history'] });
    const running = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    const other = await d.consent({ user: 'u-reset-running', client: 'other-app', resources: ['chrome.history'] });
    const otherAppJob = await d.jobs.initiateArchive(other.caller, { resources: ['chrome.history'] });
    await d.jobs.resetAuthorization(caller);
    expect((await d.row(running.archiveJobId)).state).toBe('CANCELLED');
    expect(d.stoppedLocally).toContain(running.archiveJobId);
    // Only this app's consent is reset.
    expect((await d.row(otherAppJob.archiveJobId)).state).toBe('IN_PROGRESS');
    expect((await d.jobs.getArchiveState(other.caller, otherAppJob.archiveJobId)).state.state).toBe('IN_PROGRESS');
  });

  it('clears one-time exhaustion: after a new consent the same groups may be exported again', async () => {
    const first = await d.consent({ user: 'u-reset-limits', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(first.caller, { resources: ['myactivity.search'] });
    await d.complete(archiveJobId);
    const before = await d.consent({ user: 'u-reset-limits', resources: ['myactivity.search'] });
    await refusedWith('ONE_TIME_EXHAUSTED', d.jobs.initiateArchive(before.caller, { resources: ['myactivity.search'] }));
    await d.jobs.resetAuthorization(first.caller);
    const after = await d.consent({ user: 'u-reset-limits', resources: ['myactivity.search'] });
    const again = await d.jobs.initiateArchive(after.caller, { resources: ['myactivity.search'] });
    expect(again.archiveJobId).not.toBe(archiveJobId);
  });

  it('clears the 24-hour limit of time-based access too', async () => {
    const first = await d.consent({ user: 'u-reset-timed', resources: ['myactivity.search'], access: '30d' });
    await d.jobs.initiateArchive(first.caller, { resources: ['myactivity.search'] });
    await d.jobs.resetAuthorization(first.caller);
    const after = await d.consent({ user: 'u-reset-timed', resources: ['myactivity.search'], access: '30d' });
    await d.jobs.initiateArchive(after.caller, { resources: ['myactivity.search'] });
  });

  it("schedules the app's archives for deletion: expired now, no longer downloadable, due for maintenance", async () => {
    const { caller } = await d.consent({ user: 'u-reset-archives', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.complete(archiveJobId);
    const [blobKey] = (await jobsSql.listParts(d.db, archiveJobId)).map((p) => p.blob_key);
    expect(await d.jobs.isDownloadable(blobKey!)).toBe(true);
    // Another app's archive of the same user is kept.
    const other = await d.consent({ user: 'u-reset-archives', client: 'other-app', resources: ['myactivity.search'] });
    const kept = await d.jobs.initiateArchive(other.caller, { resources: ['myactivity.search'] });
    await d.complete(kept.archiveJobId);
    await d.jobs.resetAuthorization(caller);
    expect((await d.row(archiveJobId)).archive_expires_at).toBe(d.now());
    expect(await d.jobs.isDownloadable(blobKey!)).toBe(false);
    // What the maintenance pass deletes (export/maintenance.ts).
    const due = (await jobsSql.listExpiredArchives(d.db, d.now(), 1000)).map((j) => j.id);
    expect(due).toContain(archiveJobId);
    expect(due).not.toContain(kept.archiveJobId);
  });

  it('writes an audit entry naming the jobs it cancelled', async () => {
    const { caller } = await d.consent({ user: 'u-reset-audit', resources: ['myactivity.search'] });
    const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
    await d.jobs.resetAuthorization(caller, { operator: 'alice' });
    const entries = await auditSql.listAudit(d.db, { userId: 'u-reset-audit', action: 'reset' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'operator', operator: 'alice' });
    expect(JSON.parse(entries[0]!.detail)).toEqual({ cancelledJobIds: [archiveJobId] });
  });
});
