import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

/**
 * A data folder on a small tmpfs, so the disk can really fill up. Mounting needs root (CI runs as root); where
 * it can't be done the test is skipped and says why.
 */
function mountSmallDisk(size = '16m'): { dir: string; skip?: undefined } | { dir?: undefined; skip: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataport-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const why = ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim();
    return { skip: `cannot mount a small tmpfs here (needs root): ${why}` };
  }
}

/** Writes a file until the disk is full; returns its path (deleting it frees the space again). */
function fillDisk(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return file;
}

const disk = mountSmallDisk();
/** A second small disk for the archives alone (DATAPORT_STORAGE_URL=file://…), the database staying on a roomy one. */
const archiveDisk = disk.skip ? disk : mountSmallDisk('4m');

describe.skipIf(disk.skip !== undefined)(`a full disk${disk.skip ? ` (skipped: ${disk.skip})` : ''}`, () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const dir of [disk.dir!, archiveDisk.dir!]) {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('initiate on a full disk → 503 UNAVAILABLE and SQLITE_FULL in the log (not "cannot rollback"); once space is freed the same call succeeds', async () => {
    const env = { DATAPORT_DATA_DIR: disk.dir!, DATAPORT_EXPORT_THREADS: '0' };
    const server = await startServerProcess(env);
    children.push(server.child);
    const token = (await runCli(['token', '--user', 'full', '--resources', 'chrome.history'], env)).lastLine;
    const api = googleClient(server.url, token);

    // The WAL file keeps its size when it starts over, so a commit usually finds room in it even on a full
    // disk. Truncated to nothing first, the server's next commit has to grow it: on a full disk that is
    // SQLITE_FULL, and SQLite rolls the transaction back itself.
    const other = new SQLite(path.join(disk.dir!, 'dataport.sqlite'));
    other.pragma('busy_timeout = 5000');
    const deadline = Date.now() + 10_000;
    while ((other.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!.busy !== 0) {
      if (Date.now() > deadline) throw new Error('could not truncate the WAL');
      await new Promise((r) => setTimeout(r, 50));
    }
    other.close();
    expect(statSync(path.join(disk.dir!, 'dataport.sqlite-wal')).size).toBe(0);
    const filler = fillDisk(disk.dir!);
    try {
      const failed = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } }).then(
        () => undefined,
        (error: { response?: { status: number; data: unknown } }) => error.response,
      );
      expect(failed?.status).toBe(503);
      expect(failed?.data).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
      const logged = Date.now() + 10_000;
      while (!server.logs().includes('storage unavailable') && Date.now() < logged) await new Promise((r) => setTimeout(r, 50));
      expect(server.logs()).toContain('SQLITE_FULL');
      expect(server.logs()).not.toContain('cannot rollback');
    } finally {
      rmSync(filler, { force: true });
    }

    // Clients retry a 503: with space again, the retry goes through.
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
    expect(data.archiveJobId).toMatch(/^[0-9a-f]{32}$/);
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
  });

  it('an export whose archive storage is full is retried with backoff (not FAILED); once space is freed it completes', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-full-db-'));
    try {
      const env = {
        DATAPORT_DATA_DIR: dataDir,
        DATAPORT_STORAGE_URL: `file://${archiveDisk.dir!}`,
        DATAPORT_EXPORT_THREADS: '0',
        DATAPORT_RETRY_BACKOFF: '1s',
        DATAPORT_JOB_ATTEMPTS: '6',
        DATAPORT_DEMO_RECORDS: '200',
      };
      const server = await startServerProcess(env);
      children.push(server.child);
      const token = (await runCli(['token', '--user', 'full-archive', '--resources', 'chrome.history'], env)).lastLine;
      const api = googleClient(server.url, token);
      const filler = fillDisk(archiveDisk.dir!);
      let jobId: string;
      try {
        ({
          data: { archiveJobId: jobId },
        } = (await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } })) as { data: { archiveJobId: string } });
        const logged = Date.now() + 20_000;
        while (!server.logs().includes('transient failure; job will run again') && Date.now() < logged) await new Promise((r) => setTimeout(r, 50));
        expect(server.logs()).toContain('ENOSPC');
        expect(server.logs()).toContain('transient failure; job will run again');
        // Still running for its user: a full disk is the operator's to fix, not a reason to fail their export.
        expect((await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobId}/portabilityArchiveState` })).data.state).toBe('IN_PROGRESS');
      } finally {
        rmSync(filler, { force: true });
      }
      const final = await waitForState(api, jobId, undefined, 45_000);
      expect(final.state).toBe('COMPLETE');
      expect(final.urls).toHaveLength(1);
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
