import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/store/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json, parseCsv } from './export-archive.js';

const TOKEN = 'internal-secret-token';
const PAGE_SIZE = 7;

/** 25 events per user, one a day from 2024-03-01; `kind` varies so CSV quoting is exercised. */
const eventsOf = (user: string) =>
  Array.from({ length: 25 }, (_, i) => ({
    id: `${user}-${i}`,
    at: new Date(Date.UTC(2024, 2, 1 + i)).toISOString(),
    kind: i % 5 === 0 ? 'login, "web"' : 'purchase',
  }));

describe('http source, through the googleapis client', () => {
  let dir: string;
  let internal: FastifyInstance;
  let dp: TestDataport;
  const seen: { url: string; auth: string | undefined }[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    internal = Fastify();
    internal.get('/api/events', async (request, reply) => {
      const q = request.query as Record<string, string | undefined>;
      seen.push({ url: request.url, auth: request.headers.authorization });
      if (request.headers.authorization !== `Bearer ${TOKEN}`) return reply.code(401).send('bad token');
      // A flaky backend: the first call of a page-2 request after arming answers 503, then 429 with Retry-After.
      if (q.page_token && failuresLeft > 0) {
        failuresLeft--;
        return failuresLeft % 2 === 1 ? reply.code(503).send('overloaded') : reply.code(429).header('retry-after', '0').send('slow down');
      }
      const start = q.start_time ? Date.parse(q.start_time) : -Infinity;
      const end = q.end_time ? Date.parse(q.end_time) : Infinity;
      const events = eventsOf(q.user_id!).filter((e) => Date.parse(e.at) >= start && Date.parse(e.at) <= end);
      const offset = Number(q.page_token ?? 0);
      const page = events.slice(offset, offset + PAGE_SIZE);
      if (offset + PAGE_SIZE < events.length) reply.header('x-next-page-token', String(offset + PAGE_SIZE));
      return reply.type('application/x-ndjson').send(page.map((e) => JSON.stringify(e)).join('\n') + (page.length ? '\n' : ''));
    });
    internal.get('/api/profile', async (request, reply) =>
      reply.type('application/x-ndjson').send(`${JSON.stringify({ user: (request.query as { user_id: string }).user_id, plan: 'pro' })}\n`),
    );
    internal.get('/api/gone', async (_request, reply) => reply.code(410).send('this export was retired'));
    internal.get('/api/hangs', async () => new Promise(() => {}));
    internal.get('/api/garbage', async (_request, reply) => reply.send('{"ok":1}\nnot json\n'));
    const base = await internal.listen({ port: 0, host: '127.0.0.1' });

    dir = mkdtempSync(path.join(tmpdir(), 'dataport-http-'));
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      `sources:
  backend:
    type: http
    url: ${base}/api/
    auth: { bearer: "\${BACKEND_TOKEN}" }
    timeout: 300ms
    attempts: 3
    backoff: 10ms
resourceGroups:
  - name: app.events
    scope: https://app.example.com/auth/app.events
    description: Move a copy of your activity
    timeFilter: true
    source: backend
    files:
      - { path: App/Events.json, endpoint: events }
      - { path: App/Events.csv, endpoint: events, format: csv, columns: [id, at, kind] }
  - name: app.profile
    scope: https://app.example.com/auth/app.profile
    description: Move a copy of your profile
    source: backend
    files:
      - { path: App/Profile.json, endpoint: /api/profile, format: json-object }
  - { name: app.gone, scope: "https://app.example.com/auth/app.gone", description: gone, source: backend, files: [{ path: App/x.json, endpoint: gone }] }
  - { name: app.hangs, scope: "https://app.example.com/auth/app.hangs", description: hangs, source: backend, files: [{ path: App/x.json, endpoint: hangs }] }
  - { name: app.garbage, scope: "https://app.example.com/auth/app.garbage", description: garbage, source: backend, files: [{ path: App/x.json, endpoint: garbage }] }
`,
    );
    dp = await startDataport({ DATAPORT_CATALOG: catalog, BACKEND_TOKEN: TOKEN, DATAPORT_JOB_ATTEMPTS: '2' });
  });
  afterAll(async () => {
    await dp?.close();
    await internal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the continuation token through every page, with the bearer token; JSON and CSV hold every record', async () => {
    const archive = await exportThroughApi(dp, 'u1', ['app.events', 'app.profile']);
    expect(archive.state).toBe('COMPLETE');
    expect(json(archive.files, 'App/Events.json')).toEqual(eventsOf('u1'));
    const csv = parseCsv(archive.files.get('App/Events.csv')!.toString());
    expect(csv).toEqual([['id', 'at', 'kind'], ...eventsOf('u1').map((e) => [e.id, e.at, e.kind])]);
    expect(json(archive.files, 'App/Profile.json')).toEqual({ user: 'u1', plan: 'pro' });
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(seen.filter((s) => s.url.includes('page_token=21'))).toHaveLength(2);
  });

  it('the time window is passed on as RFC 3339 start_time/end_time', async () => {
    const archive = await exportThroughApi(dp, 'u2', ['app.events'], { startTime: '2024-03-05T00:00:00Z', endTime: '2024-03-12T00:00:00Z' });
    expect(json(archive.files, 'App/Events.json').map((e: any) => e.id)).toEqual(Array.from({ length: 8 }, (_, i) => `u2-${i + 4}`));
  });

  it('503 and 429 are retried with backoff inside the connector; the export completes with nothing lost or doubled', async () => {
    failuresLeft = 2;
    const archive = await exportThroughApi(dp, 'u3', ['app.events']);
    expect(archive.state).toBe('COMPLETE');
    expect(failuresLeft).toBe(0);
    expect(json(archive.files, 'App/Events.json')).toEqual(eventsOf('u3'));
  });

  it('a 4xx is permanent: FAILED at once, the status and body kept for the operator', async () => {
    const archive = await exportThroughApi(dp, 'u4', ['app.gone']);
    expect(archive.state).toBe('FAILED');
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toBe('PermanentSourceError: backend: gone for app.gone (page 1): HTTP 410: this export was retired');
    expect(job!.transient_failures).toBe(0);
  });

  it("an endpoint that never answers times out; after the connector's and the job's attempts the job FAILS", async () => {
    const archive = await exportThroughApi(dp, 'u5', ['app.hangs']);
    expect(archive.state).toBe('FAILED');
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toMatch(/^TransientSourceError: backend: hangs for app\.hangs \(page 1\): no answer .* \(gave up after 3 attempts\)$/);
    expect(job!.transient_failures).toBe(1);
  });

  it('a line that is not JSON fails the job naming the line', async () => {
    const archive = await exportThroughApi(dp, 'u6', ['app.garbage']);
    expect(archive.state).toBe('FAILED');
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toContain('line 2 of page 1 is not JSON: not json');
  });
});
