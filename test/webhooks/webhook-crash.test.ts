import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { freePort, runCli, startServerProcess } from '../helpers/process.js';
import { FAST_WEBHOOKS, startReceiver, waitFor } from '../helpers/webhook-receiver.js';

describe("a webhook event survives kill -9 of the server between the job's end and the delivery", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-webhook-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the job ends while the receiver is down, the server is killed; after a restart the event arrives, verified', async () => {
    const env = { DATAPORT_DATA_DIR: dataDir, ...FAST_WEBHOOKS };
    const port = await freePort();
    const set = await runCli(['clients', 'webhook', 'set', 'crash-app', '--url', `http://127.0.0.1:${port}/`], env);
    const secret = (JSON.parse(set.stdout) as { secret: string }).secret;
    const first = await startServerProcess(env);
    children.push(first.child);
    const token = (await runCli(['token', '--user', 'gus', '--resources', 'chrome.history', '--client', 'crash-app'], env)).lastLine;
    const api = googleClient(first.url, token);
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const receiver = await startReceiver(port, secret);
    try {
      const second = await startServerProcess(env);
      children.push(second.child);
      await waitFor(
        () => receiver.received.filter((r) => r.verified).length >= 1,
        () => JSON.stringify(receiver.received) + second.logs(),
        30_000,
      );
      expect(receiver.received.filter((r) => r.verified).map((r) => [r.event!.type, r.event!.data.archive_job_id])).toEqual([
        ['archive_job.completed', job.archiveJobId],
      ]);
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    } finally {
      await receiver.stop();
    }
    // Two server starts and two CLI runs: slow on a loaded machine, so a longer deadline (no wall-clock assertion).
  }, 180_000);
});
