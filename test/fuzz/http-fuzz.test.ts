import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

/**
 * Property-based fuzzing of every HTTP surface: the six v1 methods, the download route, discovery, and the
 * sign-in, consent and account forms. Each run sends FUZZ_RUNS generated requests (10,000 by default; set
 * DATAPORT_FUZZ_RUNS for longer runs) and checks, for every one:
 *  - no 5xx and no crash: the server answers every request;
 *  - an API error is Google's body (`error.code` equal to the HTTP status, a `status` and a `message`);
 *  - a rejected request (4xx) changes nothing: every table but the sign-in throttle's is byte-for-byte the same.
 *
 * Requests go through Fastify's `inject` (the same routing, hooks, parsers and handlers as a socket, without
 * the socket), which makes 10,000 of them take seconds. The API runs without workers, so nothing changes the
 * database in the background between the before and after reads.
 */
const FUZZ_RUNS = Number(process.env.DATAPORT_FUZZ_RUNS ?? 10_000);

/** Tables that a rejected request may change by design: the sign-in throttle counts failed attempts. */
const MAY_CHANGE_ON_REJECTION = /sign_in|throttle|attempt|audit|rate/;

let dataDir: string;
let api: TestDataport;
let fixtures: { token: string; otherToken: string; jobId: string; otherJobId: string; downloadPath: string; groups: string[] };

const env = { DATAPORT_DEMO_RECORDS: '3', DATAPORT_LOG_LEVEL: 'silent' };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-fuzz-'));
  // First a full server makes a COMPLETE job (a real download URL to mutate) and another user's job.
  const full = await startDataport(env, {}, { stack: 'embedded', dataDir });
  const groups = ['myactivity.search', 'chrome.history', 'youtube.comments'];
  const mine = await full.client({ user: 'alice', clientId: 'fuzz-client', resources: groups, access: '30d' });
  const theirs = await full.client({ user: 'bob', clientId: 'fuzz-client', resources: groups, access: 'once' });
  const alice = mine.api;
  const bob = theirs.api;
  const { data: job } = await alice.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
  const done = await waitForState(alice, job.archiveJobId!);
  const { data: other } = await bob.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
  await waitForState(bob, other.archiveJobId!);
  await full.close();

  api = await startDataport(env, {}, { stack: 'embedded', dataDir, worker: false });
  const download = new URL(done.urls![0]!);
  fixtures = {
    token: mine.token,
    otherToken: theirs.token,
    jobId: job.archiveJobId!,
    otherJobId: other.archiveJobId!,
    downloadPath: download.pathname + download.search,
    groups,
  };
}, 120_000);

afterAll(async () => {
  await api?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A digest of every table a rejected request must leave alone. */
async function stateDigest(): Promise<string> {
  const db = api.dataport.db;
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db);
  const hash = createHash('sha256');
  for (const { name } of tables.rows) {
    if (MAY_CHANGE_ON_REJECTION.test(name)) continue;
    const rows = await sql`select * from ${sql.table(name)}`.execute(db);
    // Row order is not part of the state: sort the serialized rows.
    hash.update(name).update(
      rows.rows
        .map((r) => JSON.stringify(r))
        .sort()
        .join('\n'),
    );
  }
  return hash.digest('hex');
}

// ---- generators ----

const weirdText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '%', '%zz', '..', '../..', '%2e%2e', '\u0000', ':retry', ':cancel', 'a'.repeat(3000), '🙂', '{}', 'null', '-1', '1e309'),
);

const jobIdArb = () =>
  fc.oneof(
    fc.constant(fixtures.jobId),
    fc.constant(fixtures.otherJobId),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
    weirdText.map(encodeURIComponent),
    weirdText,
  );

const pathArb = () =>
  fc.oneof(
    fc.constant('/v1/portabilityArchive:initiate'),
    jobIdArb().map((id) => `/v1/archiveJobs/${id}/portabilityArchiveState`),
    fc.tuple(jobIdArb(), fc.constantFrom(':retry', ':cancel', ':foo', '', ':')).map(([id, action]) => `/v1/archiveJobs/${id}${action}`),
    fc.constant('/v1/authorization:reset'),
    fc.constant('/v1/accessType:check'),
    fc.constant(fixtures.downloadPath),
    fc.tuple(fc.constantFrom(...mutationsOf(fixtures.downloadPath))).map(([p]) => p),
    fc.constantFrom('/$discovery/rest', '/discovery/v1/apis/dataportability/v1/rest', '/openapi.json', '/healthz'),
    fc.constantFrom('/account', '/account/login', '/account/revoke', '/account/logout', '/oauth/authorize', '/oauth/token', '/oauth/revoke'),
    weirdText.map((s) => `/oauth/interaction/${encodeURIComponent(s)}/${['login', 'consent', 'upstream', 'upstream-done', ''][s.length % 5]}`),
    // Escaped: inject (unlike a socket) cannot carry a path that starts like a URL (`/\\host`).
    weirdText.map((s) => `/${encodeURIComponent(s)}`),
    weirdText.map((s) => `/v1/${encodeURIComponent(s)}`),
  );

/** Download paths with one part changed: key, expiry, signature, or extra parameters. */
function mutationsOf(p: string): string[] {
  const url = new URL(p, 'http://x');
  const out: string[] = [];
  for (const [k, v] of url.searchParams) {
    for (const nv of ['', '0', '-1', `${v}0`, v.slice(1), 'x'.repeat(v.length), '99999999999999999999']) {
      const u = new URL(url);
      u.searchParams.set(k, nv);
      out.push(u.pathname + u.search);
    }
    const u = new URL(url);
    u.searchParams.delete(k);
    out.push(u.pathname + u.search);
  }
  out.push(url.pathname.replace(/[^/]+$/, 'other.zip') + url.search, `${url.pathname}/../../etc/passwd${url.search}`, `${url.pathname}%00${url.search}`);
  return out;
}

const queryArb = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'fields',
        'prettyPrint',
        'alt',
        'access_token',
        'oauth_token',
        'callback',
        '$.xgafv',
        'key',
        'quotaUser',
        'hl',
        'upload_protocol',
        'uploadType',
        'foo',
        'resources',
        'startTime',
        'expires',
        'sig',
      ),
      fc.string({ maxLength: 10 }),
    ),
    fc.oneof(fc.constantFrom('true', 'false', 'json', 'media', 'proto', '1', '2', 'state', 'urls,state', '*', '(', 'a/b(c', '', 'tr'), weirdText),
  ),
  { maxLength: 3 },
);

const bodyArb = () =>
  fc.oneof(
    fc.constant(undefined),
    fc.json({ maxDepth: 3 }),
    weirdText,
    fc
      .record(
        {
          resources: fc.oneof(
            fc.array(fc.oneof(fc.constantFrom(...fixtures.groups, 'myactivity.maps', 'nope', ''), weirdText), { maxLength: 4 }),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          startTime: fc.oneof(
            fc.constantFrom('2024-01-01T00:00:00Z', '2024-13-01T00:00:00Z', '0000-00-00', '2030-01-01T00:00:00.123456789Z', '1969-12-31T23:59:59Z'),
            weirdText,
            fc.integer(),
          ),
          endTime: fc.oneof(fc.constant(undefined), fc.constantFrom('2023-01-01T00:00:00Z', '9999-12-31T23:59:59Z'), weirdText),
          starttime: fc.oneof(fc.constant(undefined), weirdText),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
    fc.constantFrom(
      'user=alice&password=x&csrf=y',
      'ids=1&ids=2',
      'grant_type=refresh_token&refresh_token=x',
      '--x\r\nContent-Type: application/http\r\n\r\nGET / HTTP/1.1\r\n\r\n--x--',
    ),
  );

const authArb = () =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${fixtures.token}`),
    fc.constant(`Bearer ${fixtures.otherToken}`),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic Zm9vOmJhcg==',
      'DPoP x',
      `bearer ${fixtures.token.slice(1)}`,
      `Bearer ${fixtures.token}x`,
      `Bearer ${fixtures.token} ${fixtures.token}`,
    ),
    weirdText.map((s) => `Bearer ${s.replace(/[\r\n]/g, '')}`),
  );

const contentTypeArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/mixed; boundary=x',
    'application/octet-stream',
    'application/json; charset=latin1',
  ),
  fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/.test(s)),
);

const requestArb = () =>
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
    path: pathArb(),
    query: queryArb,
    authorization: authArb(),
    contentType: contentTypeArb,
    range: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('bytes=0-10', 'bytes=10-0', 'bytes=-5', 'bytes=999999999-', 'bytes=0-1,3-4', 'lines=1-2', 'bytes=x'),
    ),
    body: bodyArb(),
  });

type GeneratedRequest = ReturnType<ReturnType<typeof requestArb>['generate']>['value'];

function toInject(r: GeneratedRequest) {
  let url = r.path;
  if (r.query.length > 0) {
    const qs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    url += (url.includes('?') ? '&' : '?') + qs;
  }
  const headers: Record<string, string> = {};
  if (r.authorization !== undefined) headers.authorization = r.authorization;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.range !== undefined) headers.range = r.range;
  const withBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
  return { method: r.method as 'GET', url, headers, ...(withBody ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}) };
}

describe(`HTTP fuzzing (${FUZZ_RUNS} generated requests)`, () => {
  it('no 5xx, Google error bodies on the API, and a rejected request changes nothing', async () => {
    const server = api.dataport.server!;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        const before = await stateDigest();
        const response = await server.inject(toInject(r));
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode, `${r.method} ${r.path}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(await stateDigest(), `state changed by a rejected ${r.method} ${r.path}`).toBe(before);
          const isApi = r.path.startsWith('/v1/') && r.method !== 'HEAD' && !String(response.headers['content-type'] ?? '').includes('javascript');
          if (isApi) {
            const body = JSON.parse(response.body) as { error?: { code: number; status: string; message: string } };
            expect(body.error?.code, response.body).toBe(response.statusCode);
            expect(typeof body.error?.status).toBe('string');
            expect(typeof body.error?.message).toBe('string');
          }
        }
      }),
      { numRuns: FUZZ_RUNS, seed: process.env.DATAPORT_FUZZ_SEED ? Number(process.env.DATAPORT_FUZZ_SEED) : undefined, endOnFailure: true },
    );
    // Most requests must be refused and some accepted, or the generators are not reaching the handlers.
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(FUZZ_RUNS / 100);
    expect(refused).toBeGreaterThan(FUZZ_RUNS / 2);
  }, 600_000);
});
