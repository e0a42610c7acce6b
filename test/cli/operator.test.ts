import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortabilityClient, PortabilityApiError, type PortabilityClient } from '../../src/client/index.js';
import { createDataport, type Dataport } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { AccessMode } from '../../src/store/index.js';
import { runCli, startServerProcess } from '../helpers/process.js';

/** Operator and emulator commands, run as child processes against a `dataport start` process on the same data folder. */
describe('dataport jobs, gc, faults and clock against a running server', () => {
  let dataDir: string;
  let server: { child: ChildProcess; url: string; logs: () => string };
  let env: Record<string, string>;
  /** The same database, opened in this process to mint tokens (cheaper than a `dataport token` process each). */
  let operator: Dataport;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-cli-'));
    env = { DATAPORT_DATA_DIR: dataDir, DATAPORT_DEMO_RECORDS: '20', DATAPORT_LOG_LEVEL: 'warn', DATAPORT_RETRY_BACKOFF: '50ms' };
    server = await startServerProcess(env);
    // No injected clock: tokens follow the emulator's clock, as the server's do.
    operator = await createDataport(loadConfig(env), { api: false, worker: false, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await operator.close();
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function clientFor(user: string, resources: string, access: AccessMode, client = 'cli-test'): Promise<PortabilityClient> {
    // The operator process reads the clock offset when it opens; re-read it for tokens minted after a change.
    await reopenOperator();
    const issued = await operator.tokens.grantAndIssueToken({ userId: user, clientId: client, resources: resources.split(','), access });
    return createPortabilityClient({ rootUrl: server.url, accessToken: issued.accessToken });
  }

  async function reopenOperator(): Promise<void> {
    await operator.close();
    operator = await createDataport(loadConfig(env), { api: false, worker: false, logger: createLogger('silent') });
  }

  async function settle(api: PortabilityClient, jobId: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { state } = await api.getArchiveState(jobId);
      if (state !== 'IN_PROGRESS') return state;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still IN_PROGRESS`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('jobs list filters by user, client, group, state and creation time; --json and table agree', async () => {
    const alice = await clientFor('alice', 'chrome.history,maps.reviews', 'once', 'app-a');
    const bob = await clientFor('bob', 'play.library', 'once', 'app-b');
    const a = await alice.initiate({ resources: ['chrome.history'] });
    const b = await bob.initiate({ resources: ['play.library'] });
    expect(await settle(alice, a.archiveJobId)).toBe('COMPLETE');
    expect(await settle(bob, b.archiveJobId)).toBe('COMPLETE');

    const list = async (...filters: string[]) => {
      const out = await cli('jobs', 'list', '--json', ...filters);
      expect(out.code, out.stderr).toBe(0);
      return (JSON.parse(out.stdout) as { id: string }[]).map((j) => j.id);
    };
    // Independent commands, run side by side to keep the test short.
    const [byUser, byClientGroupState, beforeAll, table] = await Promise.all([
      list('--user', 'alice'),
      list('--client', 'app-b', '--group', 'play.library', '--state', 'COMPLETE'),
      list('--until', '2000-01-01'),
      cli('jobs', 'list', '--user', 'bob', '--since', '1h'),
    ]);
    expect(byUser).toEqual([a.archiveJobId]);
    expect(byClientGroupState).toEqual([b.archiveJobId]);
    expect(beforeAll).toEqual([]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${b.archiveJobId}\\s+COMPLETE\\s+bob\\s+app-b`, 'm'));
  });

  it('faults set at run time fail the next job; jobs show gives the reason; jobs retry follows the API rules', async () => {
    const set = await cli('faults', 'set', 'maps.starred_places=fail:1');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('maps.starred_places=fail:1');

    const carol = await clientFor('carol', 'maps.starred_places', 'once');
    const { archiveJobId } = await carol.initiate({ resources: ['maps.starred_places'] });
    expect(await settle(carol, archiveJobId)).toBe('FAILED');

    const [show, cancel, missing] = await Promise.all([
      cli('jobs', 'show', archiveJobId, '--json'),
      cli('jobs', 'cancel', archiveJobId),
      cli('jobs', 'show', 'no-such-job'),
    ]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ state: 'FAILED', userId: 'carol', failureReason: expect.stringContaining('maps.starred_places=fail:1') });
    // Each run of the job, with how it ended (job_runs).
    expect(JSON.parse(show.stdout).runs).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'failed', records: null, error: expect.stringContaining('maps.starred_places=fail:1') }),
    ]);

    expect(cancel.code).toBe(7);
    expect(cancel.stderr).toContain('Only an IN_PROGRESS archive job can be cancelled');

    const retry = await cli('jobs', 'retry', archiveJobId);
    expect(retry.code, retry.stderr).toBe(0);
    expect(await settle(carol, retry.lastLine)).toBe('COMPLETE');
    // The owner sees the operator's retry as an ordinary retry of their job.
    await expect(carol.retry(retry.lastLine)).rejects.toMatchObject({ status: 'FAILED_PRECONDITION' });
    expect(missing.code).toBe(6);
    const cleared = await cli('faults', 'clear');
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toContain('(no run-time faults)');
  });

  it('clock advance 24h lifts the 24-hour limit of time-based access; advancing past retention lets gc delete the archive', async () => {
    const dave = await clientFor('dave', 'myactivity.search', '30d');
    const first = await dave.initiate({ resources: ['myactivity.search'] });
    expect(await settle(dave, first.archiveJobId)).toBe('COMPLETE');
    const limited = await dave.initiate({ resources: ['myactivity.search'] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(PortabilityApiError);
    expect(limited).toMatchObject({ httpStatus: 429, reason: 'RESOURCE_EXHAUSTED_TIME_BASED' });
    const after = Date.parse((limited as PortabilityApiError).metadata.timestamp_after_24hrs!);

    const advance = await cli('clock', 'advance', '24h');
    expect(advance.code, advance.stderr).toBe(0);
    expect(advance.stdout).toContain('+1d');
    // A token minted now follows the emulated clock; the server picks the offset up within a second.
    const later = await clientFor('dave', 'myactivity.search', '30d');
    const deadline = Date.now() + 15_000;
    let second: { archiveJobId: string } | undefined;
    while (!second) {
      try {
        second = await later.initiate({ resources: ['myactivity.search'] });
      } catch (error) {
        if (!(error instanceof PortabilityApiError) || error.httpStatus !== 429 || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(await settle(later, second.archiveJobId)).toBe('COMPLETE');
    const state = await later.getArchiveState(second.archiveJobId);
    expect(Date.parse(state.exportTime!)).toBeGreaterThanOrEqual(after);

    expect((await cli('clock', 'advance', '15d')).code).toBe(0);
    const gc = await cli('gc', '--json');
    expect(gc.code, gc.stderr).toBe(0);
    expect((JSON.parse(gc.stdout) as { job: string }[]).map((d) => d.job)).toContain(first.archiveJobId);
    // The deletion is in the audit log, as the operator's.
    const deletions = JSON.parse((await cli('audit', '--action', 'archive.delete', '--json')).stdout) as { job_id: string; actor: string; operator: string }[];
    expect(deletions.find((d) => d.job_id === first.archiveJobId)).toMatchObject({ actor: 'operator', operator: 'cli' });
    const reset = await cli('clock', 'reset');
    expect(reset.stdout).toContain('offset 0');
  });

  it('emulator controls refuse a database no demo server has started on, a server on an operator catalog, and bad input', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'dataport-cli-empty-'));
    try {
      const out = await runCli(['clock', 'advance', '1h'], { DATAPORT_DATA_DIR: empty });
      expect(out.code).toBe(7);
      expect(out.stderr).toContain('no Dataport server has started on this database');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    // A server on an operator's catalog records that it has no demo source; the emulator controls refuse.
    const ownData = mkdtempSync(path.join(tmpdir(), 'dataport-cli-catalog-'));
    try {
      writeFileSync(
        path.join(ownData, 'catalog.yaml'),
        [
          'sources:',
          '  uploads: { type: files, root: uploads }',
          'resourceGroups:',
          '  - name: shop.images',
          '    scope: https://shop.example/auth/images',
          '    description: Move a copy of your images',
          '    source: uploads',
          '    files: [{ path: Shop/Images, folder: "{user_id}" }]',
        ].join('\n'),
      );
      mkdirSync(path.join(ownData, 'uploads'));
      const ownEnv = { DATAPORT_DATA_DIR: path.join(ownData, 'data'), DATAPORT_CATALOG: path.join(ownData, 'catalog.yaml'), DATAPORT_LOG_LEVEL: 'warn' };
      const own = await startServerProcess(ownEnv);
      try {
        const refused = await runCli(['faults', 'set', 'shop.images=fail:1'], ownEnv);
        expect(refused.code, refused.stderr).toBe(7);
        expect(refused.stderr).toContain('does not run the demo source');
      } finally {
        own.child.kill('SIGTERM');
        await new Promise((r) => own.child.once('exit', r));
      }
    } finally {
      rmSync(ownData, { recursive: true, force: true });
    }

    const [badRule, badDuration, badState] = await Promise.all([
      cli('faults', 'set', 'maps.reviews=explode:1'),
      cli('clock', 'advance', 'tomorrow'),
      cli('jobs', 'list', '--state', 'DONE'),
    ]);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain('unknown rule "explode"');
    expect(badDuration.code).toBe(2);
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain('DONE');
  });
});
