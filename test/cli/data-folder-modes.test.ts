import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { download } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

// The data folder holds everyone's accounts, grants and archives: no other local user may read any of it.
const parent = mkdtempSync(path.join(tmpdir(), 'dataport-modes-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    }
  }
  rmSync(parent, { recursive: true, force: true });
});

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8).padStart(4, '0');

describe('the data folder', () => {
  it('after an export, the folder and every folder below it are 0700; the database, its WAL, the key and the archives 0600', async () => {
    // Not there yet: `dataport start` makes it (mkdtemp's own folders are 0700 already).
    const dataDir = path.join(parent, 'fresh', 'data');
    const env = { DATAPORT_DATA_DIR: dataDir, DATAPORT_DEMO_RECORDS: '5' };
    const server = await startServerProcess(env);
    children.push(server.child);
    const token = (await runCli(['token', '--user', 'modes', '--resources', 'myactivity.search'], env)).lastLine;
    const api = googleClient(server.url, token);
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, job.archiveJobId!);
    expect(state.state).toBe('COMPLETE');
    expect((await download(state.urls![0]!)).status).toBe(200);

    const modes: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        modes[path.relative(dataDir, full)] = mode(full);
        if (entry.isDirectory()) walk(full);
      }
    };
    walk(dataDir);
    // What must be there, so the check below is not vacuous.
    expect(Object.keys(modes)).toEqual(expect.arrayContaining(['dataport.sqlite', 'dataport.sqlite-wal', 'dataport.sqlite-shm', 'signing.key', 'blobs']));
    expect(Object.keys(modes).some((name) => name.startsWith('blobs/') && name.endsWith('.zip'))).toBe(true);
    expect(mode(dataDir)).toBe('0700');
    const expected = Object.fromEntries(Object.keys(modes).map((name) => [name, statSync(path.join(dataDir, name)).isDirectory() ? '0700' : '0600']));
    expect(modes).toEqual(expected);
  });

  it('a signing key shorter than 32 bytes (or empty) → start-up refused with a clear error', async () => {
    for (const [name, key] of [
      ['short', `${Buffer.alloc(16, 7).toString('base64')}\n`],
      ['empty', ''],
    ] as const) {
      const dataDir = path.join(parent, name);
      mkdirSync(dataDir, { mode: 0o700 });
      writeFileSync(path.join(dataDir, 'signing.key'), key, { mode: 0o600 });
      const run = await runCli(['start'], { DATAPORT_DATA_DIR: dataDir, PORT: '0' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${path.join(dataDir, 'signing.key')} holds ${name === 'short' ? 16 : 0} bytes of key; at least 32 are needed`);
    }
  });
});
