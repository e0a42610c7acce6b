import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

describe('durable execution across a crash', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 in the middle of an export; after a restart the job is picked up when its lease lapses and completes once', async () => {
    const env = {
      DATAPORT_DATA_DIR: dataDir,
      DATAPORT_JOB_LEASE: '2s',
      DATAPORT_DEMO_RECORDS: '2000',
      // slow:4000 keeps the first run busy long enough to be killed mid-export.
      DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:4000',
    };
    const first = await startServerProcess(env);
    children.push(first.child);
    const token = (await runCli(['token', '--user', 'crash', '--resources', 'myactivity.search,chrome.history'], env)).lastLine;
    const api = googleClient(first.url, token);
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history', 'myactivity.search'] } });
    // Wait until the worker has really started writing (its attempt folder exists), then kill it hard.
    const attemptDir = path.join(dataDir, 'blobs', 'archives', job.archiveJobId!);
    const deadline = Date.now() + 15_000;
    while (!(safeList(attemptDir).length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(safeList(attemptDir).length).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServerProcess({ ...env, PORT: String(new URL(first.url).port) });
    children.push(second.child);
    const state = await waitForState(googleClient(second.url, token), job.archiveJobId!, undefined, 60_000);
    expect(state.state).toBe('COMPLETE');
    expect(state.urls).toHaveLength(1);
    const entries = await readZip((await download(state.urls![0]!)).body);
    const index = JSON.parse(entries.find((e) => e.name.endsWith('archive_browser.json'))!.content.toString());
    expect(index.services.find((s: { resourceGroup: string }) => s.resourceGroup === 'myactivity.search').records).toBe(2000);
    // Only the attempt that published is left: the killed run's partial output was removed.
    expect(readdirSync(attemptDir)).toHaveLength(1);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
}
