import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, type TestDataport } from '../helpers/dataport.js';

/** Opens a raw connection to the server: the way a slow (or malicious) client talks. */
async function rawSocket(baseUrl: string): Promise<{ socket: Socket; closed: Promise<void>; received: () => string }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port: Number(port) });
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, closed, received: () => data };
}

/** Resolves true once `closed` settles, false if `deadlineMs` passes first (the connection is still open). */
async function closesWithin(closed: Promise<void>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), deadlineMs)))]);
  clearTimeout(timer);
  return result;
}

/** Writes `text` one piece at a time every `everyMs` until the socket closes. */
function trickle(socket: Socket, pieces: () => string, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(pieces());
  }, everyMs);
  return () => clearInterval(timer);
}

// Generous against a noisy machine: each limit below is well under a second, and a server without it keeps
// the connection for a minute or more (Node's defaults).
const DEADLINE_MS = 15_000;

describe('limits against slow clients and oversized bodies', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({
      DATAPORT_HEADERS_TIMEOUT: '500ms',
      DATAPORT_REQUEST_TIMEOUT: '1s',
      DATAPORT_KEEP_ALIVE_TIMEOUT: '500ms',
      DATAPORT_BODY_LIMIT: '1024',
    });
  });
  afterAll(async () => dp.close());

  it('a client that sends its headers slowly is cut off (408) once the headers timeout passes', async () => {
    const { socket, closed, received } = await rawSocket(dp.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    let n = 0;
    const stop = trickle(socket, () => `X-Slow-${n++}: x\r\n`, 100);
    try {
      expect(await closesWithin(closed, DEADLINE_MS)).toBe(true);
    } finally {
      stop();
      socket.destroy();
    }
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a client that sends its body slowly is cut off once the request timeout passes', async () => {
    const { socket, closed } = await rawSocket(dp.url);
    socket.write('POST /v1/accessType:check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n');
    const stop = trickle(socket, () => ' ', 100);
    try {
      expect(await closesWithin(closed, DEADLINE_MS)).toBe(true);
    } finally {
      stop();
      socket.destroy();
    }
  });

  it('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const { socket, closed, received } = await rawSocket(dp.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    try {
      expect(await closesWithin(closed, DEADLINE_MS)).toBe(true);
    } finally {
      socket.destroy();
    }
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it("a body over DATAPORT_BODY_LIMIT → 400 INVALID_ARGUMENT in Google's shape, nothing started", async () => {
    const { token } = await dp.client({ user: 'big-body', resources: ['myactivity.search'] });
    const body = JSON.stringify({ resources: ['myactivity.search', ...Array.from({ length: 100 }, (_, i) => `padding.group.${i}`)] });
    expect(body.length).toBeGreaterThan(1024);
    const res = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { status: string; message: string } };
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('Request payload size exceeds the limit: 1024 bytes.');
  });
});

describe('per-client request rates, the per-user job cap, idle connections', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({
      DATAPORT_API_RATE_LIMIT: '8',
      DATAPORT_API_RATE_WINDOW: '1h',
      DATAPORT_MAX_JOBS_PER_USER: '2',
      DATAPORT_IDLE_TIMEOUT: '1s',
      DATAPORT_DEMO_RECORDS: '5',
      DATAPORT_DEMO_FAULTS: 'myactivity.shopping=slow:60000, chrome.history=slow:60000',
    });
  });
  afterAll(async () => dp.close());

  it('a connection on which nothing moves is closed after the idle timeout', async () => {
    const { socket, closed } = await rawSocket(dp.url);
    try {
      expect(await closesWithin(closed, DEADLINE_MS)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('over the per-client rate → 429 RESOURCE_EXHAUSTED, RATE_LIMIT_EXCEEDED (googleapis.com), Retry-After; other clients unaffected', async () => {
    const { token } = await dp.client({ user: 'rate-user', resources: ['myactivity.search'], clientId: 'rate-client' });
    const check = () => fetch(`${dp.url}/v1/accessType:check`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 8; i++) expect((await check()).status).toBe(200);
    const refused = await check();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true);
    const { error } = (await refused.json()) as {
      error: { code: number; status: string; details: { '@type': string; reason: string; domain: string; metadata: Record<string, string> }[] };
    };
    expect(error.code).toBe(429);
    expect(error.status).toBe('RESOURCE_EXHAUSTED');
    expect(error.details[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service: 'dataportability.googleapis.com', quota_limit_value: '8' },
    });
    // Another user of the same app shares the app's quota; another app has its own.
    const sameApp = await dp.client({ user: 'rate-user-2', resources: ['myactivity.search'], clientId: 'rate-client' });
    expect((await googleErrorOf(sameApp.api.accessType.check({}))).status).toBe(429);
    const otherApp = await dp.client({ user: 'rate-user', resources: ['myactivity.search'], clientId: 'rate-other-client' });
    expect((await otherApp.api.accessType.check({})).status).toBe(200);
  });

  it('a user with DATAPORT_MAX_JOBS_PER_USER jobs running → 429 RATE_LIMIT_EXCEEDED on the next, across apps; room again after a cancel', async () => {
    const first = await dp.client({
      user: 'busy-user',
      resources: ['myactivity.shopping', 'chrome.history', 'myactivity.search'],
      clientId: 'cap-app-1',
      access: '30d',
    });
    const second = await dp.client({ user: 'busy-user', resources: ['myactivity.search'], clientId: 'cap-app-2', access: '30d' });
    const { data: a } = await first.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } });
    await first.api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    const capped = await googleErrorOf(second.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } }));
    expect(capped.status).toBe(429);
    expect(capped.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(capped.error.details?.[0]).toMatchObject({ reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com', metadata: { quota_limit_value: '2' } });

    const otherUser = await dp.client({ user: 'idle-user', resources: ['myactivity.search'], clientId: 'cap-app-2' });
    expect((await otherUser.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } })).status).toBe(200);

    await first.api.archiveJobs.cancel({ name: `archiveJobs/${a.archiveJobId}` });
    expect((await second.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } })).status).toBe(200);
  });

  it('one user initiating through six apps at the same instant: exactly DATAPORT_MAX_JOBS_PER_USER jobs start', async () => {
    const apps = await Promise.all(
      Array.from({ length: 6 }, (_, i) => dp.client({ user: 'burst-user', resources: ['myactivity.shopping'], clientId: `burst-app-${i}` })),
    );
    const outcomes = await Promise.allSettled(apps.map(({ api }) => api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } })));
    const started = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = await Promise.all(outcomes.filter((o) => o.status === 'rejected').map((o) => googleErrorOf(Promise.reject(o.reason))));
    expect(started).toHaveLength(2);
    expect(refused.map((r) => [r.status, r.error.details?.[0]?.reason])).toEqual(Array.from({ length: 4 }, () => [429, 'RATE_LIMIT_EXCEEDED']));
  });
});
