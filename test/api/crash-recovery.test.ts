import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';
import { jobsSql, openDatabase } from '../../src/store/index.js';

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

  it('kill -9 in the middle of an export, then `dataport jobs cancel`: the restarted server deletes the dead run\'s partial output', async () => {
    const cancelDir = mkdtempSync(path.join(tmpdir(), 'dataport-cancel-'));
    try {
      const env = { DATAPORT_DATA_DIR: cancelDir, DATAPORT_DEMO_RECORDS: '2000', DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:600000' };
      const first = await startServerProcess(env);
      children.push(first.child);
      const token = (await runCli(['token', '--user', 'cancelled', '--resources', 'myactivity.search,chrome.history'], env)).lastLine;
      const { data: job } = await googleClient(first.url, token).portabilityArchive.initiate({ requestBody: { resources: ['chrome.history', 'myactivity.search'] } });
      const jobDir = path.join(cancelDir, 'blobs', 'archives', job.archiveJobId!);
      const deadline = Date.now() + 15_000;
      while (!(safeList(jobDir).length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(safeList(jobDir).length).toBeGreaterThan(0);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      expect((await runCli(['jobs', 'cancel', job.archiveJobId!], env)).code).toBe(0);
      const second = await startServerProcess(env);
      children.push(second.child);
      const swept = Date.now() + 20_000;
      while (safeList(jobDir).some((f) => f.includes('.')) && Date.now() < swept) await new Promise((r) => setTimeout(r, 100));
      expect(safeList(jobDir).filter((f) => f.includes('.'))).toEqual([]);
      const state = await googleClient(second.url, token).archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
      expect(state.data.state).toBe('CANCELLED');
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    } finally {
      rmSync(cancelDir, { recursive: true, force: true });
    }
  });

  it('a SIGTERM drain hands the job back without spending an attempt: with DATAPORT_JOB_ATTEMPTS=2, a transient error after the drain is still retried and the job completes', async () => {
    const drainDir = mkdtempSync(path.join(tmpdir(), 'dataport-drain-'));
    const store = openDatabase({ dataDir: drainDir });
    try {
      const env = { DATAPORT_DATA_DIR: drainDir, DATAPORT_JOB_ATTEMPTS: '2', DATAPORT_RETRY_BACKOFF: '0s', DATAPORT_DRAIN_TIMEOUT: '1s', DATAPORT_DEMO_RECORDS: '20' };
      // The first server's run of the job outlasts the drain deadline, so SIGTERM hands it back.
      const first = await startServerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=slow:600000' });
      children.push(first.child);
      const token = (await runCli(['token', '--user', 'drained', '--resources', 'chrome.history'], env)).lastLine;
      const { data } = await googleClient(first.url, token).portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      const jobId = data.archiveJobId!;
      const deadline = Date.now() + 15_000;
      while (!(await jobsSql.findJob(store.db, jobId))?.lease_owner) {
        if (Date.now() > deadline) throw new Error(`the job was never claimed:\n${first.logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const exited = new Promise<number | null>((r) => first.child.once('exit', (code) => r(code)));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await jobsSql.findJob(store.db, jobId)).toMatchObject({ state: 'IN_PROGRESS', lease_owner: null, attempt: 1, transient_failures: 0 });

      // After the restart the source fails once, transiently: one of the two attempts is still left for it.
      const second = await startServerProcess({ ...env, DATAPORT_DEMO_FAULTS: 'chrome.history=flaky:1' });
      children.push(second.child);
      const state = await waitForState(googleClient(second.url, token), jobId, undefined, 30_000);
      expect(state.state).toBe('COMPLETE');
      expect(await jobsSql.findJob(store.db, jobId)).toMatchObject({ attempt: 3, transient_failures: 1 });
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    } finally {
      await store.close();
      rmSync(drainDir, { recursive: true, force: true });
    }
  });
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
}
