import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

describe('cancel after a crash', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it("kill -9 in the middle of an export, then `dataport jobs cancel`: the restarted server deletes the dead run's partial output", async () => {
    const cancelDir = mkdtempSync(path.join(tmpdir(), 'dataport-cancel-'));
    try {
      const env = { DATAPORT_DATA_DIR: cancelDir, DATAPORT_DEMO_RECORDS: '2000', DATAPORT_DEMO_FAULTS: 'myactivity.search=slow:600000' };
      const first = await startServerProcess(env);
      children.push(first.child);
      const token = (await runCli(['token', '--user', 'cancelled', '--resources', 'myactivity.search,chrome.history'], env)).lastLine;
      const { data: job } = await googleClient(first.url, token).portabilityArchive.initiate({
        requestBody: { resources: ['chrome.history', 'myactivity.search'] },
      });
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
      const state = await googleClient(second.url, token).archiveJobs.getPortabilityArchiveState({
        name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState`,
      });
      expect(state.data.state).toBe('CANCELLED');
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    } finally {
      rmSync(cancelDir, { recursive: true, force: true });
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
