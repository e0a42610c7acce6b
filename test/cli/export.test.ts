import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataport, type Dataport } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { AccessMode } from '../../src/store/index.js';
import { createPortabilityClient } from '../../src/client/index.js';
import { runCli, startServerProcess } from '../helpers/process.js';

const BIN = fileURLToPath(new URL('../../bin/dataport.js', import.meta.url));

/** `dataport export` as a child process against a `dataport start` process, both on one data folder. */
describe('dataport export', () => {
  let dataDir: string;
  let work: string;
  let server: { child: ChildProcess; url: string; logs: () => string };
  let env: Record<string, string>;
  /** The server's database opened in this process, to mint tokens without a `dataport token` process each. */
  let operator: Dataport;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-export-'));
    work = mkdtempSync(path.join(tmpdir(), 'dataport-export-out-'));
    env = {
      DATAPORT_DATA_DIR: dataDir,
      // Enough records for a download that can be interrupted, in parts small enough to roll over.
      DATAPORT_DEMO_RECORDS: '5000',
      DATAPORT_PART_SIZE: '64KiB',
      // Tokens outlive the clock advances below.
      DATAPORT_TOKEN_LIFETIME: '10d',
      DATAPORT_LOG_LEVEL: 'warn',
      DATAPORT_RETRY_BACKOFF: '50ms',
    };
    server = await startServerProcess(env);
    operator = await createDataport(loadConfig(env), { api: false, worker: false, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await operator.close();
    if (server.child.exitCode !== null) console.error(`the server process had exited:\n${server.logs()}`);
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  async function token(user: string, resources: string, access: AccessMode = 'once'): Promise<string> {
    const issued = await operator.tokens.grantAndIssueToken({ userId: user, clientId: 'dataport-cli', resources: resources.split(','), access });
    return issued.accessToken;
  }

  const exportArgs = (accessToken: string, resources: string, out: string, ...more: string[]) => [
    'export',
    '--server',
    server.url,
    '--token',
    accessToken,
    '--resources',
    resources,
    '--out',
    out,
    '--poll-interval',
    '100ms',
    ...more,
  ];

  /** The unpacked export folders in `out`, oldest first. */
  const exportFolders = (out: string) =>
    readdirSync(out)
      .filter((n) => /^\d{4}-\d{2}-\d{2}T/.test(n))
      .sort();

  it('downloads every part, verifies and unpacks them, and prints a summary from archive_browser.json', async () => {
    const out = path.join(work, 'plain');
    const result = await cli(...exportArgs(await token('erin', 'chrome.history,myactivity.maps'), 'chrome.history,myactivity.maps', out));
    expect(result.code, result.stderr).toBe(0);
    // How many files a group spans depends on where the 64 KiB parts fill up; the records must all be there.
    expect(result.stdout).toMatch(/^chrome\.history\s+\d+\s+5000\s/m);
    expect(result.stdout).toMatch(/^total\s+\d+\s+10000\s/m);
    expect(result.stderr).toMatch(/verified \d+ archive file\(s\)/);
    const [folder] = exportFolders(out);
    const chrome = path.join(out, folder!, 'Portability', 'Chrome');
    const historyFiles = readdirSync(chrome).filter((n) => /^History(-\d+)?\.json$/.test(n));
    const visits = historyFiles.flatMap((n) => JSON.parse(readFileSync(path.join(chrome, n), 'utf8'))['Browser History'] as unknown[]);
    expect(visits).toHaveLength(5000);
    // Not on a terminal: plain progress lines, no escape sequences.
    expect(result.stderr).toMatch(/^downloaded dataport-[0-9a-f]{12}-001\.zip: /m);
    expect(result.stderr).not.toContain('\x1b[');

    const again = await cli(...exportArgs(await token('erin', 'chrome.history'), 'chrome.history', out));
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('RESOURCE_EXHAUSTED: this one-time authorization has been used');
  });

  it('a download killed midway resumes from its .part file with a Range request', async () => {
    const out = path.join(work, 'resume');
    const accessToken = await token('frank', 'myactivity.search');
    const slow = spawn(process.execPath, [BIN, ...exportArgs(accessToken, 'myactivity.search', out, '--limit-rate', '16KiB')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstRun = '';
    slow.stderr.on('data', (d) => (firstRun += d));
    const partFile = await waitFor(
      () => {
        const dir = path.join(out, '.dataport', 'downloads');
        const part = existsSync(dir) ? readdirSync(dir).find((n) => n.endsWith('.part')) : undefined;
        return part && statSync(path.join(dir, part)).size >= 16 * 1024 ? path.join(dir, part) : undefined;
      },
      () => firstRun,
    );
    // The hardest interruption: no chance to clean up.
    slow.kill('SIGKILL');
    await new Promise((r) => slow.once('exit', r));
    const kept = statSync(partFile).size;
    expect(kept).toBeGreaterThanOrEqual(16 * 1024);

    const rerun = await cli(...exportArgs(accessToken, 'myactivity.search', out));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/resuming job [0-9a-f]{32}/);
    const resumedAt = Number(/resumed (\S+) from byte (\d+)/.exec(rerun.stderr)?.[2]);
    expect(resumedAt).toBeGreaterThanOrEqual(kept);
    expect(rerun.stderr).toMatch(/verified \d+ archive file\(s\)/);
    expect(rerun.stdout).toMatch(/^myactivity\.search\s+\d+\s+5000\s/m);
    expect(rerun.stdout).toContain('resumed from an earlier run');
    expect(existsSync(partFile)).toBe(false);
  });

  it('a FAILED job: exit 4 with the advice to retry; the same command with --retry retries it and completes', async () => {
    expect((await cli('faults', 'set', 'youtube.subscriptions=fail:1')).code).toBe(0);
    const out = path.join(work, 'retry');
    const accessToken = await token('gina', 'youtube.subscriptions');
    const failed = await cli(...exportArgs(accessToken, 'youtube.subscriptions', out));
    expect(failed.code).toBe(4);
    expect(failed.stderr).toContain('--retry');
    const retried = await cli(...exportArgs(accessToken, 'youtube.subscriptions', out, '--retry'));
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/FAILED; retrying as job [0-9a-f]{32}/);
    expect(retried.stdout).toMatch(/^youtube\.subscriptions\s/m);
  });

  it('Ctrl-C while the job runs, with --cancel-on-interrupt: the job is cancelled on the server and the exit code is 130', async () => {
    expect((await cli('faults', 'set', 'myactivity.shopping=slow:30000')).code).toBe(0);
    const out = path.join(work, 'interrupt');
    const accessToken = await token('iris', 'myactivity.shopping');
    const child = spawn(process.execPath, [BIN, ...exportArgs(accessToken, 'myactivity.shopping', out, '--cancel-on-interrupt')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const jobId = await waitFor(
      () => /job ([0-9a-f]{32}) IN_PROGRESS/.exec(stderr)?.[1],
      () => stderr,
    );
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain(`job ${jobId} cancelled on the server`);
    const api = createPortabilityClient({ rootUrl: server.url, accessToken });
    expect((await api.getArchiveState(jobId)).state).toBe('CANCELLED');
  });

  it('--incremental: after `clock advance`, the second export holds only records newer than the first export', async () => {
    const out = path.join(work, 'incremental');
    const accessToken = await token('hugo', 'myactivity.search', '30d');
    const first = await cli(...exportArgs(accessToken, 'myactivity.search', out, '--incremental'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('no earlier export');
    const firstExportTime = JSON.parse(readFileSync(path.join(out, '.dataport-state.json'), 'utf8')).completed['myactivity.search'].exportTime as string;

    expect((await cli('clock', 'advance', '25h')).code).toBe(0);
    // The server reads the offset every second: until it has, the 24-hour limit still applies (exit 3).
    let second = await cli(...exportArgs(accessToken, 'myactivity.search', out, '--incremental'));
    for (let tries = 0; second.code === 3 && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 250));
      second = await cli(...exportArgs(accessToken, 'myactivity.search', out, '--incremental'));
    }
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`newer than the last export (${firstExportTime})`);

    const folders = exportFolders(out);
    expect(folders).toHaveLength(2);
    const records = (folder: string) =>
      readdirSync(path.join(out, folder, 'Portability', 'My Activity', 'Search')).flatMap(
        (f) => JSON.parse(readFileSync(path.join(out, folder, 'Portability', 'My Activity', 'Search', f), 'utf8')) as { time: string }[],
      );
    const older = records(folders[0]!);
    const newer = records(folders[1]!);
    expect(older).toHaveLength(5000);
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.length).toBeLessThan(older.length);
    for (const r of newer) expect(Date.parse(r.time)).toBeGreaterThanOrEqual(Date.parse(firstExportTime));
    expect((await cli('clock', 'reset')).code).toBe(0);
  });
});

/** Polls `probe` until it returns a value; fails with `context()` after 30 s. */
async function waitFor<T>(probe: () => T | undefined, context: () => string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
