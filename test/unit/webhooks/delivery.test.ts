import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenService } from '../../../src/auth/index.js';
import { googleCatalog } from '../../../src/catalog/index.js';
import { migrateToLatest, openDatabase, pruneHistoryPastRetention, webhooksSql, type OpenDatabase } from '../../../src/store/index.js';
import { createSecretBox, createWebhookDelivery, createWebhookEndpoints, parseRetryAfter } from '../../../src/webhooks/index.js';
import { TestClock } from '../../helpers/dataport.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The delivery worker on a real SQLite database against a real HTTP endpoint; time is the test's clock. */
describe('webhook delivery: Retry-After, redirects, giving up and disabling', () => {
  let dir: string;
  let database: OpenDatabase;
  let server: Server;
  let hits: { path: string; status: number }[];
  let answer: (path: string) => { status: number; headers?: Record<string, string> };
  let url: string;
  const clock = new TestClock();

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-webhook-unit-'));
    database = openDatabase({ dataDir: dir });
    await migrateToLatest(database.db);
    hits = [];
    server = createServer((req, res) => {
      const a = answer(req.url ?? '/');
      hits.push({ path: req.url ?? '/', status: a.status });
      req.resume();
      res.writeHead(a.status, a.headers).end('x'.repeat(100_000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function setUp() {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const endpoints = createWebhookEndpoints({ db: database.db, now: clock.now, box });
    const delivery = createWebhookDelivery({
      db: database.db,
      now: clock.now,
      box,
      workerId: 'w1',
      timeoutMs: 2000,
      retryFirstMs: 5000,
      retryMaxMs: 2 * HOUR,
      retryWindowMs: 24 * HOUR,
      pollMs: 1000,
      logRetentionMs: 30 * DAY,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    return { endpoints, delivery, box };
  }

  it('the secret is stored sealed; a 503 with Retry-After postpones the next attempt that long', async () => {
    const { endpoints, delivery, box } = setUp();
    const { secret } = await endpoints.setEndpoint('c1', url);
    const row = (await webhooksSql.findEndpoint(database.db, 'c1'))!;
    expect(row.secret_sealed).not.toContain(secret!.slice(6));
    expect(box.open(row.secret_sealed)).toBe(secret);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open(row.secret_sealed)).toThrow();

    answer = () => ({ status: 503, headers: { 'retry-after': '3600' } });
    await webhooksSql.enqueueEvent(database.db, { clientId: 'c1', type: 'archive_job.completed', userId: 'u', data: { archive_job_id: 'j' }, at: clock.now() });
    expect(await delivery.runOnce()).toBe(1);
    const [event] = await webhooksSql.listEvents(database.db, 'c1', 10);
    expect(event).toMatchObject({ state: 'pending', attempts: 1 });
    // Backoff alone would be ~5 s; the endpoint asked for an hour.
    expect(event!.next_attempt_at - clock.now()).toBeGreaterThanOrEqual(HOUR - 1000);
    expect(await delivery.runOnce()).toBe(0);
    const [log] = await endpoints.deliveryLog('c1');
    expect(log).toMatchObject({ kind: 'attempt', status: 503, attempt: 1 });
    // At most a small part of the 100 kB answer was read and logged.
    expect(log!.error!.length).toBeLessThanOrEqual(200);
  });

  it('a redirect is a failed attempt and is not followed; after a day of failures the event fails and the endpoint is disabled', async () => {
    const { endpoints, delivery } = setUp();
    await endpoints.setEndpoint('c2', url);
    answer = (p) => (p === '/hook' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 204 });
    await webhooksSql.enqueueEvent(database.db, { clientId: 'c2', type: 'archive_job.failed', userId: 'u', data: { archive_job_id: 'j' }, at: clock.now() });
    let attempts = 0;
    for (let i = 0; i < 40; i++) {
      const [event] = await webhooksSql.listEvents(database.db, 'c2', 10);
      if (event!.state !== 'pending') break;
      // A whole millisecond: PostgreSQL's bigint refuses a fraction (the jitter once made one).
      expect(Number.isInteger(event!.next_attempt_at)).toBe(true);
      clock.advance(Math.max(0, event!.next_attempt_at - clock.now()));
      attempts += await delivery.runOnce();
    }
    expect(hits.every((h) => h.path === '/hook')).toBe(true);
    const [event] = await webhooksSql.listEvents(database.db, 'c2', 10);
    expect(event).toMatchObject({ state: 'failed' });
    // Exponential: 5 s × 4ⁿ up to 2 h between attempts, for 24 h: about 17 attempts, not hundreds.
    expect(attempts).toBeGreaterThan(8);
    expect(attempts).toBeLessThan(30);
    const log = await endpoints.deliveryLog('c2', 100);
    expect(log[0]).toMatchObject({ kind: 'disabled', error: expect.stringMatching(/no delivery succeeded/) });
    expect((await endpoints.listEndpoints())[0]).toMatchObject({ client_id: 'c2', disabled_at: expect.any(String) });

    // Disabled: a new event waits; `webhook set` enables the endpoint again and it goes out.
    answer = () => ({ status: 204 });
    await webhooksSql.enqueueEvent(database.db, { clientId: 'c2', type: 'archive_job.failed', userId: 'u', data: { archive_job_id: 'k' }, at: clock.now() });
    expect(await delivery.runOnce()).toBe(0);
    await endpoints.setEndpoint('c2', url);
    expect(await delivery.runOnce()).toBe(1);
    expect((await webhooksSql.listEvents(database.db, 'c2', 10)).map((e) => e.state)).toEqual(['failed', 'delivered']);
  });

  it('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it('a time-based grant that lapses gets one authorization.revoked (expired); once pruned past retention, never another', async () => {
    const { endpoints, delivery } = setUp();
    answer = () => ({ status: 204 });
    await endpoints.setEndpoint('c1', url);
    const tokens = createTokenService({ db: database.db, catalog: googleCatalog(), now: clock.now, tokenLifetimeMs: HOUR });
    const grantA = await tokens.grantAndIssueToken({ userId: 'ann', clientId: 'c1', resources: ['chrome.history'], access: '30d' });
    expect(grantA.accessToken).toBeTruthy();
    const revokedEvents = async () => (await webhooksSql.listEvents(database.db, 'c1', 100)).filter((e) => e.type === 'authorization.revoked');

    clock.advance(31 * DAY);
    expect(await delivery.runOnce()).toBe(1);
    const [lapsed] = await revokedEvents();
    expect(JSON.parse(lapsed!.payload)).toMatchObject({ type: 'authorization.revoked', data: { user_id: 'ann', reason: 'expired' } });
    expect(lapsed!.state).toBe('delivered');
    // Once only: the next sweep (a minute later) finds the same lapsed grant and writes nothing.
    clock.advance(2 * 60_000);
    expect(await delivery.runOnce()).toBe(0);
    expect(await revokedEvents()).toHaveLength(1);

    // A second grant, made now, lapses 30 days later; by then the first one's event is past retention and pruned.
    await tokens.grantAndIssueToken({ userId: 'ben', clientId: 'c1', resources: ['chrome.history'], access: '30d' });
    clock.advance(31 * DAY);
    const pruned = await pruneHistoryPastRetention(database.db, clock.now(), { auditRetentionMs: 3650 * DAY, webhookLogRetentionMs: 30 * DAY });
    expect(pruned.webhookEvents).toBe(1);
    expect(await revokedEvents()).toEqual([]);
    // The sweep writes ben's event and not ann's again (her grant lapsed before the retention window).
    expect(await delivery.runOnce()).toBe(1);
    expect((await revokedEvents()).map((e) => (JSON.parse(e.payload) as { data: { user_id: string } }).data.user_id)).toEqual(['ben']);
  });
});
