import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { googleClient, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

/**
 * `Dataport.close(deadlineMs)` is bounded whatever the clients do: idle kept-alive connections close at once,
 * a request in flight (a download the client reads slowly, or not at all) has until the deadline, then its
 * connection is destroyed. Before, `close()` waited for a stalled download until the idle timeout (120 s).
 */
describe('close with a download in flight', () => {
  let dp: TestDataport | undefined;
  const sockets: Socket[] = [];
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    await dp?.close();
    dp = undefined;
  });

  const BIG = { DATAPORT_DEMO_RECORDS: '40000', DATAPORT_DEFLATE_LEVEL: '0' };

  /** A finished export large enough that its download cannot sit whole in the socket buffers. */
  async function bigArchiveUrl(): Promise<URL> {
    dp = await startDataport(BIG);
    const { api } = await dp.client({ user: 'closer', resources: ['myactivity.search'] });
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, data.archiveJobId!);
    return new URL(state.urls![0]!);
  }

  /** Sends a GET for `url` on a raw socket and resolves with the first bytes of the answer; the socket is then paused. */
  function startDownload(url: URL): Promise<{ socket: Socket; first: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
      });
      sockets.push(socket);
      socket.once('error', reject);
      socket.once('data', (chunk) => {
        socket.pause();
        resolve({ socket, first: chunk.toString('latin1') });
      });
    });
  }

  /** Reads the rest of the answer; resolves with the bytes received (headers included) once the connection ends. */
  function readToEnd(socket: Socket, first: string): Promise<number> {
    return new Promise((resolve) => {
      let received = Buffer.byteLength(first, 'latin1');
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.once('close', () => resolve(received));
      socket.resume();
    });
  }

  it('a client that stops reading a download does not hold close() past its deadline; its connection is cut', async () => {
    const url = await bigArchiveUrl();
    const { socket, first } = await startDownload(url);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    const size = Number(/content-length: (\d+)/i.exec(first)![1]);
    expect(size).toBeGreaterThan(8 * 1024 * 1024);
    // Resolves rather than waiting for the stalled client (before: until the 120 s idle timeout); the vitest
    // timeout turns a hang into a failure.
    await dp!.dataport.close(500);
    const headerLength = first.indexOf('\r\n\r\n') + 4;
    expect(await readToEnd(socket, first)).toBeLessThan(headerLength + size);
  }, 20_000);

  it('a download in flight at close() is finished if the client reads it before the deadline; idle connections close at once', async () => {
    const url = await bigArchiveUrl();
    // A kept-alive connection that has had its answer and sits idle.
    const idle = connect(Number(url.port), url.hostname);
    sockets.push(idle);
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    idle.on('error', () => undefined);
    const answered = new Promise<string>((resolve) => idle.once('data', (chunk) => resolve(chunk.toString('latin1'))));
    idle.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    expect(await answered).toMatch(/^HTTP\/1\.1 200[^]*keep-alive/i);

    const { socket, first } = await startDownload(url);
    const size = Number(/content-length: (\d+)/i.exec(first)![1]);
    const closing = dp!.dataport.close(60_000);
    await idleClosed;
    // The download goes on: every byte arrives, then the connection closes and so does the server, long before
    // the deadline (the vitest timeout is far below it).
    const headerLength = first.indexOf('\r\n\r\n') + 4;
    expect(await readToEnd(socket, first)).toBe(headerLength + size);
    await closing;
  }, 20_000);

  it('SIGTERM to `dataport start` exits 0 within the drain timeout although a client stopped reading a download', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-close-'));
    dirs.push(dataDir);
    const env = { DATAPORT_DATA_DIR: dataDir, DATAPORT_DRAIN_TIMEOUT: '1s', ...BIG };
    const server = await startServerProcess(env);
    children.push(server.child);
    const token = (await runCli(['token', '--user', 'sigterm', '--resources', 'myactivity.search'], env)).lastLine;
    const api = googleClient(server.url, token);
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, data.archiveJobId!, undefined, 30_000);
    const { socket, first } = await startDownload(new URL(state.urls![0]!));
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    // Before: the process stayed up until the idle timeout (120 s, above this test's timeout) cut the stalled connection.
    expect(await exited).toBe(0);
    socket.destroy();
  }, 90_000);
});
