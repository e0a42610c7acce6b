import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { download } from '../helpers/archive.js';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { runCli } from '../helpers/process.js';
import { CookieBrowser, givenClientAndUser } from '../auth/oauth-fixture.js';
import { auditSql, type AuditRow } from '../../src/store/index.js';

/** A metric's value in the exposition text (labels exactly as given); undefined when the series is absent. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audit log and metrics of a known workload', () => {
  let dp: TestDataport;
  const ids: Record<string, string> = {};
  let archiveSize = 0;

  beforeAll(async () => {
    dp = await startDataport({
      DATAPORT_DEMO_RECORDS: '30',
      DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:1,myactivity.shopping=slow:20000',
    });
    // alice: a failed job, its retry, a ranged and a whole download.
    const alice = await dp.client({ user: 'alice', resources: ['maps.reviews'], clientId: 'app-a' });
    const { data: j1 } = await alice.api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
    ids.failed = j1.archiveJobId!;
    expect((await waitForState(alice.api, ids.failed)).state).toBe('FAILED');
    const { data: j2 } = await alice.api.archiveJobs.retry({ name: `archiveJobs/${ids.failed}` });
    ids.retry = j2.archiveJobId!;
    const done = await waitForState(alice.api, ids.retry);
    expect(done.state).toBe('COMPLETE');
    expect((await download(done.urls![0]!, { range: 'bytes=0-9' })).status).toBe(206);
    await poll(
      () => auditSql.listAudit(dp.dataport.db, { action: 'download' }),
      (rows) => rows.length === 1,
    );
    const whole = await download(done.urls![0]!);
    expect(whole.status).toBe(200);
    archiveSize = whole.body.length;
    await poll(
      () => auditSql.listAudit(dp.dataport.db, { action: 'download' }),
      (rows) => rows.length === 2,
    );
    // bob: a cancelled job.
    const bob = await dp.client({ user: 'bob', resources: ['myactivity.shopping'], clientId: 'app-b' });
    const { data: j3 } = await bob.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    ids.cancelled = j3.archiveJobId!;
    await bob.api.archiveJobs.cancel({ name: `archiveJobs/${ids.cancelled}` });
    expect((await waitForState(bob.api, ids.cancelled)).state).toBe('CANCELLED');
    // carol: an export, then authorization.reset.
    const carol = await dp.client({ user: 'carol', resources: ['chrome.history'], clientId: 'app-a' });
    const { data: j4 } = await carol.api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    ids.reset = j4.archiveJobId!;
    expect((await waitForState(carol.api, ids.reset)).state).toBe('COMPLETE');
    await carol.api.authorization.reset({});
    // The cancelled run has let go of its worker.
    await poll(
      async () => (await fetch(`${dp.url}/metrics`)).text(),
      (text) => metric(text, 'dataport_workers_busy') === 0,
    );
  }, 60_000);
  afterAll(async () => dp?.close());

  it('records every grant, token, initiate, retry, cancel, publication, download, revocation and reset, in order', async () => {
    const rows = await auditSql.listAudit(dp.dataport.db, {});
    const shape = (r: AuditRow) => [r.action, r.actor, r.user_id, r.client_id, r.job_id];
    expect(rows.map(shape)).toEqual([
      ['grant', 'user', 'alice', 'app-a', null],
      ['token.issue', 'client', 'alice', 'app-a', null],
      ['initiate', 'client', 'alice', 'app-a', ids.failed],
      ['retry', 'client', 'alice', 'app-a', ids.retry],
      ['publish', 'system', 'alice', 'app-a', ids.retry],
      ['download', 'user', 'alice', 'app-a', ids.retry],
      ['download', 'user', 'alice', 'app-a', ids.retry],
      ['grant', 'user', 'bob', 'app-b', null],
      ['token.issue', 'client', 'bob', 'app-b', null],
      ['initiate', 'client', 'bob', 'app-b', ids.cancelled],
      ['cancel', 'client', 'bob', 'app-b', ids.cancelled],
      ['grant', 'user', 'carol', 'app-a', null],
      ['token.issue', 'client', 'carol', 'app-a', null],
      ['initiate', 'client', 'carol', 'app-a', ids.reset],
      ['publish', 'system', 'carol', 'app-a', ids.reset],
      ['revoke', 'client', 'carol', 'app-a', null],
      ['reset', 'client', 'carol', 'app-a', null],
    ]);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    const details = rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
    expect(details[2]).toEqual({ resources: ['maps.reviews'], accessType: 'ACCESS_TYPE_ONE_TIME' });
    expect(details[3]).toEqual({ retryOf: ids.failed });
    expect(details[5]).toMatchObject({ range: '0-9', bytes: 10, sizeBytes: archiveSize });
    expect(details[6]).toMatchObject({ range: `0-${archiveSize - 1}`, bytes: archiveSize, sizeBytes: archiveSize });
    expect(details[4]).toMatchObject({ parts: 1, bytes: archiveSize, resources: ['maps.reviews'] });
    // Requests through the API carry the client's address; the worker's publications none.
    for (const i of [2, 3, 5, 6, 9, 10, 13, 15, 16]) expect(rows[i]!.ip, `entry ${i + 1}`).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(rows[4]!.ip).toBeNull();
    expect(await auditSql.verifyAudit(dp.dataport.db)).toEqual({ ok: true, entries: 17, anchorSeq: 0 });
  });

  it('/metrics counts the same workload', async () => {
    const res = await fetch(`${dp.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(metric(text, 'dataport_jobs{state="IN_PROGRESS"}')).toBe(0);
    expect(metric(text, 'dataport_jobs{state="COMPLETE"}')).toBe(2);
    expect(metric(text, 'dataport_jobs{state="FAILED"}')).toBe(1);
    expect(metric(text, 'dataport_jobs{state="CANCELLED"}')).toBe(1);
    expect(metric(text, 'dataport_queue_depth')).toBe(0);
    expect(metric(text, 'dataport_workers_busy')).toBe(0);
    expect(metric(text, 'dataport_jobs_finished_total{state="COMPLETE"}')).toBe(2);
    expect(metric(text, 'dataport_jobs_finished_total{state="FAILED"}')).toBe(1);
    expect(metric(text, 'dataport_http_requests_total{method="POST",route="/v1/portabilityArchive::initiate",status="200"}')).toBe(3);
    expect(metric(text, 'dataport_http_requests_total{method="POST",route="/v1/archiveJobs/:jobAction",status="200"}')).toBe(2);
    expect(metric(text, 'dataport_http_requests_total{method="POST",route="/v1/authorization::reset",status="200"}')).toBe(1);
    expect(metric(text, 'dataport_http_requests_total{method="GET",route="/downloads/*",status="206"}')).toBe(1);
    expect(metric(text, 'dataport_http_requests_total{method="GET",route="/downloads/*",status="200"}')).toBe(1);
    expect(metric(text, 'dataport_http_request_duration_seconds_count{method="POST",route="/v1/portabilityArchive::initiate",status="200"}')).toBe(3);
    expect(metric(text, 'dataport_download_bytes_total')).toBe(10 + archiveSize);
    expect(metric(text, 'dataport_job_duration_seconds_count{group="maps.reviews"}')).toBe(1);
    expect(metric(text, 'dataport_job_size_bytes_sum{group="maps.reviews"}')).toBe(archiveSize);
    expect(metric(text, 'dataport_job_duration_seconds_count{group="chrome.history"}')).toBe(1);
    const published = (await auditSql.listAudit(dp.dataport.db, { action: 'publish' })).map((r) => JSON.parse(r.detail) as { records: number });
    expect(metric(text, 'dataport_exported_records_total{group="maps.reviews"}')).toBe(published[0]!.records);
    expect(metric(text, 'dataport_exported_records_total{group="chrome.history"}')).toBe(published[1]!.records);
    expect(published[0]!.records).toBeGreaterThan(0);
  });

  it("the account page shows the user her own entries (which app did what, the downloads), and no one else's", async () => {
    const f = await givenClientAndUser(dp, { user: 'alice' });
    const browser = new CookieBrowser();
    const signIn = await (await browser.fetch(`${dp.url}/account`)).text();
    await browser.postForm(`${dp.url}/account/login`, { csrf: hiddenCsrf(signIn), user: f.user, password: f.password });
    const page = await (await browser.fetch(`${dp.url}/account`)).text();
    const activity = page.slice(page.indexOf('id="activity"'));
    const items = [...activity.matchAll(/<li class="audit audit-([a-z-]+)">/g)].map((m) => m[1]);
    // Newest first.
    expect(items).toEqual(['download', 'download', 'publish', 'retry', 'initiate', 'token-issue', 'grant']);
    expect(activity).toContain('Archive downloaded (bytes 0-9)');
    expect(activity).toContain(`Archive downloaded (bytes 0-${archiveSize - 1})`);
    expect(activity).toContain(ids.retry!.slice(0, 12));
    expect(activity).not.toContain(ids.cancelled!.slice(0, 12));
  });

  it('`dataport audit` lists and filters; `audit verify` passes, then names the entry edited in the database', async () => {
    const listed = await runCli(['audit', '--user', 'bob', '--json'], dp.env);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { action: string }[]).map((e) => e.action)).toEqual(['grant', 'token.issue', 'initiate', 'cancel']);

    const intact = await runCli(['audit', 'verify'], dp.env);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('17 entries');
    // Someone with database access hides the first download's range.
    await sql`update audit_log set detail = ${'{"range":"0-0"}'} where seq = 6`.execute(dp.dataport.db);
    const broken = await runCli(['audit', 'verify'], dp.env);
    expect(broken.code).toBe(8);
    expect(broken.stderr).toContain('entry 6');
  });
});

function hiddenCsrf(page: string): string {
  const m = /name="csrf" value="([^"]*)"/.exec(page);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}
