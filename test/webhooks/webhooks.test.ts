import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { freePort, runCli } from '../helpers/process.js';
import { FAST_WEBHOOKS, startReceiver, waitFor, type ReceivedDelivery } from '../helpers/webhook-receiver.js';
import { webhooksSql } from '../../src/store/index.js';

async function setWebhook(dp: TestDataport, clientId: string, url: string, extra: string[] = []): Promise<string> {
  const out = await runCli(['clients', 'webhook', 'set', clientId, '--url', url, ...extra], dp.env);
  expect(out.code, out.stderr).toBe(0);
  return (JSON.parse(out.stdout) as { secret: string }).secret;
}

const verifiedOf = (received: ReceivedDelivery[], type?: string) => received.filter((r) => r.verified && (!type || r.event!.type === type));

describe('signed completion notifications (Standard Webhooks) to a real receiver process', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport(FAST_WEBHOOKS);
  });
  afterAll(async () => dp.close());

  it('a completed, a failed and a cancelled job are each delivered once, verified by the receiver; never a URL', async () => {
    const port = await freePort();
    const secret = await setWebhook(dp, 'app-one', `http://127.0.0.1:${port}/hooks`);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const receiver = await startReceiver(port, secret);
    try {
      const a = await dp.client({ user: 'ann', resources: ['chrome.history'], clientId: 'app-one' });
      const { data: done } = await a.api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      const b = await dp.client({ user: 'ben', resources: ['maps.reviews'], clientId: 'app-one' });
      const { data: failed } = await b.api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
      const c = await dp.client({ user: 'cat', resources: ['myactivity.shopping'], clientId: 'app-one' });
      const { data: slow } = await c.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
      await c.api.archiveJobs.cancel({ name: `archiveJobs/${slow.archiveJobId}` });
      expect((await waitForState(a.api, done.archiveJobId!)).state).toBe('COMPLETE');
      expect((await waitForState(b.api, failed.archiveJobId!)).state).toBe('FAILED');

      await waitFor(
        async () =>
          (await webhooksSql.listEvents(dp.dataport.db, 'app-one', 100)).every((e) => e.state === 'delivered') && verifiedOf(receiver.received).length >= 3,
        () => JSON.stringify(receiver.received),
      );
      expect(receiver.received.filter((r) => !r.verified)).toEqual([]);
      const byJob = new Map(verifiedOf(receiver.received).map((r) => [r.event!.data.archive_job_id, r]));
      expect(verifiedOf(receiver.received)).toHaveLength(3);

      const completed = byJob.get(done.archiveJobId)!.event!;
      expect(completed.type).toBe('archive_job.completed');
      expect(completed.data).toEqual({
        user_id: 'ann',
        archive_job_id: done.archiveJobId,
        resources: ['chrome.history'],
        export_time: expect.any(String),
        part_count: 1,
      });
      expect(JSON.stringify(completed)).not.toMatch(/https?:/);
      expect(byJob.get(failed.archiveJobId)!.event).toMatchObject({ type: 'archive_job.failed', data: { user_id: 'ben', retryable: true } });
      expect(byJob.get(slow.archiveJobId)!.event).toMatchObject({ type: 'archive_job.cancelled', data: { user_id: 'cat' } });

      const log = await runCli(['webhooks', 'log', 'app-one', '--json'], dp.env);
      const entries = JSON.parse(log.stdout) as { kind: string; status: number; latency_ms: number }[];
      expect(entries.filter((e) => e.kind === 'attempt')).toHaveLength(3);
      expect(entries.every((e) => e.status === 204 && e.latency_ms >= 0)).toBe(true);
    } finally {
      await receiver.stop();
    }
  });

  it('receiver down for a while, then up: every event arrives, in order for the user; redeliver sends one again', async () => {
    const port = await freePort();
    const secret = await setWebhook(dp, 'app-two', `http://127.0.0.1:${port}/`);
    const { api } = await dp.client({ user: 'dan', resources: ['chrome.history', 'maps.reviews', 'myactivity.shopping'], clientId: 'app-two', access: '30d' });
    const { data: j1 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    await waitForState(api, j1.archiveJobId!);
    const { data: j2 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
    await waitForState(api, j2.archiveJobId!);
    const { data: j3 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    await api.archiveJobs.cancel({ name: `archiveJobs/${j3.archiveJobId}` });
    await api.authorization.reset({});
    // Nobody listens: attempts fail (refused) and are retried with backoff.
    await waitFor(
      async () => (await webhooksSql.listEvents(dp.dataport.db, 'app-two', 100)).some((e) => e.attempts >= 2),
      () => 'no retries seen',
    );
    const receiver = await startReceiver(port, secret);
    try {
      await waitFor(
        () => verifiedOf(receiver.received).length >= 4,
        () => JSON.stringify(receiver.received),
      );
      expect(verifiedOf(receiver.received).map((r) => [r.event!.type, r.event!.data.archive_job_id ?? null])).toEqual([
        ['archive_job.completed', j1.archiveJobId],
        ['archive_job.failed', j2.archiveJobId],
        ['archive_job.cancelled', j3.archiveJobId],
        ['authorization.revoked', null],
      ]);
      expect(verifiedOf(receiver.received)[3]!.event!.data).toEqual({ user_id: 'dan', reason: 'reset' });
      const log = JSON.parse((await runCli(['webhooks', 'log', 'app-two', '--json'], dp.env)).stdout) as {
        kind: string;
        status: number | null;
        error: string | null;
      }[];
      expect(log.some((e) => e.kind === 'attempt' && e.status === null && e.error)).toBe(true);

      const first = verifiedOf(receiver.received)[0]!.id!;
      const again = await runCli(['webhooks', 'redeliver', first], dp.env);
      expect(again.code, again.stderr).toBe(0);
      await waitFor(
        () => verifiedOf(receiver.received).length >= 5,
        () => JSON.stringify(receiver.received),
      );
      // The same webhook-id: a receiver that keeps ids drops it as a duplicate.
      expect(verifiedOf(receiver.received)[4]!.id).toBe(first);
    } finally {
      await receiver.stop();
    }
  });

  it('a tampered body and a delivery signed long ago (a replay) are refused by the verifier', async () => {
    const port = await freePort();
    const secret = await setWebhook(dp, 'app-three', `http://127.0.0.1:${port}/`);
    const receiver = await startReceiver(port, secret);
    try {
      const { api } = await dp.client({ user: 'eve', resources: ['chrome.history'], clientId: 'app-three', access: '30d' });
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      await waitFor(
        () => verifiedOf(receiver.received).length >= 1,
        () => JSON.stringify(receiver.received),
      );
      const genuine = verifiedOf(receiver.received)[0]!.raw!;
      const post = (body: string) =>
        fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { ...genuine.headers, 'content-type': 'application/json' }, body });
      // The genuine bytes verify; one changed character does not.
      expect((await post(genuine.body)).status).toBe(204);
      const tampered = genuine.body.replace(
        job.archiveJobId!,
        job.archiveJobId!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
      );
      expect(tampered).not.toBe(genuine.body);
      expect((await post(tampered)).status).toBe(400);
      // The receiver's stdout line may come after its HTTP answer: wait for the line rather than read the last one.
      await waitFor(
        () => receiver.received.some((r) => !r.verified && /signature/i.test(r.error ?? '')),
        () => JSON.stringify(receiver.received),
      );

      // The server's clock 10 minutes behind: its deliveries carry a timestamp the verifier takes for a replay
      // (Standard Webhooks' 5-minute tolerance), so they are refused and retried until the clock is right.
      dp.clock.advance(-10 * 60_000);
      try {
        await api.authorization.reset({});
        await waitFor(
          () => receiver.received.some((r) => !r.verified && /timestamp/i.test(r.error ?? '')),
          () => JSON.stringify(receiver.received),
        );
        expect(verifiedOf(receiver.received, 'authorization.revoked')).toEqual([]);
      } finally {
        dp.clock.advance(10 * 60_000);
      }
      await waitFor(
        () => verifiedOf(receiver.received, 'authorization.revoked').length === 1,
        () => JSON.stringify(receiver.received),
      );
    } finally {
      await receiver.stop();
    }
  });

  it('secret rotation loses no event: both secrets sign during the grace period, then the new one alone verifies', async () => {
    const port = await freePort();
    const oldSecret = await setWebhook(dp, 'app-four', `http://127.0.0.1:${port}/`);
    let receiver = await startReceiver(port, oldSecret);
    const received: ReceivedDelivery[] = [];
    try {
      const { api } = await dp.client({ user: 'fay', resources: ['chrome.history', 'maps.reviews', 'chrome.bookmarks'], clientId: 'app-four', access: '30d' });
      const { data: j1 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      await waitFor(
        () => verifiedOf(receiver.received).length >= 1,
        () => JSON.stringify(receiver.received),
      );
      expect(verifiedOf(receiver.received)[0]!.signatures).toBe(1);

      const rotated = await runCli(['clients', 'webhook', 'rotate-secret', 'app-four'], dp.env);
      expect(rotated.code, rotated.stderr).toBe(0);
      const newSecret = (JSON.parse(rotated.stdout) as { secret: string }).secret;
      expect(newSecret).not.toBe(oldSecret);
      // The receiver still has the old secret: the next event verifies with it (two signatures are sent).
      const { data: j2 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } });
      await waitFor(
        () => verifiedOf(receiver.received).length >= 2,
        () => JSON.stringify(receiver.received),
      );
      expect(verifiedOf(receiver.received)[1]!.signatures).toBe(2);
      received.push(...receiver.received);
      await receiver.stop();

      // The receiver deploys the new secret; what ends meanwhile is retried until it is back.
      const { data: j3 } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.bookmarks'] } });
      await waitForState(api, j3.archiveJobId!);
      receiver = await startReceiver(port, newSecret);
      await waitFor(
        () => verifiedOf(receiver.received).length >= 1,
        () => JSON.stringify(receiver.received),
      );
      received.push(...receiver.received);
      expect(received.filter((r) => !r.verified)).toEqual([]);
      expect(verifiedOf(received).map((r) => r.event!.data.archive_job_id)).toEqual([j1.archiveJobId, j2.archiveJobId, j3.archiveJobId]);
    } finally {
      await receiver.stop();
    }
  });

  it('dataport export --notify finishes on the notification, not on its 10-minute fallback poll', async () => {
    const port = await freePort();
    const secret = await setWebhook(dp, 'app-six', `http://127.0.0.1:${port}/`);
    const { token } = await dp.client({ user: 'hal', resources: ['chrome.bookmarks'], clientId: 'app-six' });
    const out = mkdtempSync(path.join(tmpdir(), 'dataport-notify-'));
    try {
      // The first poll comes before the export ends (it takes 1.5 s); the next would be 10 minutes later.
      const result = await runCli(
        [
          'export',
          '--server',
          dp.url,
          '--token',
          token,
          '--resources',
          'chrome.bookmarks',
          '--out',
          out,
          '--notify',
          String(port),
          '--notify-secret',
          secret,
          '--poll-interval',
          '10m',
          '--poll-max',
          '10m',
        ],
        {},
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`waiting for the job's notification on http://127.0.0.1:${port}/`);
      expect(result.stderr).toMatch(/COMPLETE after/);
      const events = await webhooksSql.listEvents(dp.dataport.db, 'app-six', 10);
      expect(events.map((e) => [e.type, e.state])).toEqual([['archive_job.completed', 'delivered']]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('webhook set refuses plain http to a non-loopback host and unknown event types', async () => {
    const http = await runCli(['clients', 'webhook', 'set', 'app-five', '--url', 'http://example.com/hook'], dp.env);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/must use https/);
    const events = await runCli(['clients', 'webhook', 'set', 'app-five', '--url', 'https://example.com/hook', '--events', 'archive_job.exploded'], dp.env);
    expect(events.code).toBe(2);
    expect(events.stderr).toMatch(/unknown event type/);
  });
});
