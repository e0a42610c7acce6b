import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/index.js';
import { googleCatalog } from '../../src/catalog/index.js';
import { openDatabase } from '../../src/store/index.js';
import { googleClient } from '../helpers/dataport.js';
import { startServerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../helpers/scaled-stack.js';

/**
 * A TCP relay in front of PostgreSQL that can be cut (every connection dropped, the port closed) and put back on
 * the same port: a database outage as the API process sees one, without touching the shared server.
 */
async function startRelay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    port: () => port,
    async cut() {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
  };
}

describe.skipIf(scaledStackUnavailable !== undefined)(`a PostgreSQL outage${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`, () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const clean of cleanups.reverse()) await clean();
  });

  it('while the database is unreachable: initiate → 503 UNAVAILABLE, /readyz → 503 naming the database, /healthz 200; afterwards both recover', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const bucket = await createTestBucket();
    cleanups.push(bucket.drop);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-outage-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const direct = new URL(database.url);
    const relay = await startRelay({ host: direct.hostname, port: Number(direct.port || 5432) });
    cleanups.push(() => relay.cut());
    const relayed = new URL(database.url);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port());

    const store = openDatabase({ databaseUrl: database.url, dataDir, poolSize: 1 });
    cleanups.push(() => store.close());
    const tokens = createTokenService({ db: store.db, catalog: googleCatalog(), now: Date.now, tokenLifetimeMs: 3_600_000 });
    const { accessToken } = await tokens.grantAndIssueToken({ userId: 'outage', clientId: 'c', resources: ['chrome.history'], access: '30d' });

    const server = await startServerProcess(
      { DATAPORT_DATABASE_URL: relayed.toString(), ...bucket.env, DATAPORT_DATA_DIR: dataDir, DATAPORT_LOG_LEVEL: 'warn' },
      'serve',
    );
    children.push(server.child);
    const api = googleClient(server.url, accessToken);
    const readyz = async () => {
      const r = await fetch(`${server.url}/readyz`);
      return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
    };
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'ok', blobs: 'ok', queue: 'ok', migrations: 'ok' } } });

    await relay.cut();
    const failed = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } }).then(
      () => undefined,
      (error: { response?: { status: number; data: unknown } }) => error.response,
    );
    expect(failed?.status).toBe(503);
    expect(failed?.data).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', checks: { database: 'unavailable', blobs: 'ok' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await relay.restore();
    const deadline = Date.now() + 20_000;
    while ((await readyz()).status !== 200) {
      if (Date.now() > deadline) throw new Error(`/readyz did not recover:\n${server.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect(data.archiveJobId).toBeTruthy();
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
