import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient, googleErrorOf } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

/**
 * The embedded server syncs the WAL for many commits at once (store/group-commit.ts). A burst of initiates
 * arrives together, so their transactions commit while one sync is in flight and share the next one; each
 * still runs its own checks. What a caller was told must hold: every job answered 200 exists after kill -9
 * (the answer came after its commit; durability against power loss is shown from the syscall order in
 * durability-trace.test.ts), and the requests refused inside the burst (the per-user cap, an identical
 * job already running) neither failed the others nor left anything behind.
 */
describe('concurrent initiates through the group commit', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-group-commit-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a burst: each accepted job exists after kill -9 right after the answers, refusals inside the burst fail only themselves', async () => {
    const groups = [
      'myactivity.search',
      'chrome.history',
      'maps.reviews',
      'play.installs',
      'maps.starred_places',
      'myactivity.shopping',
      'youtube.comments',
      'play.library',
    ];
    const env = {
      DATAPORT_DATA_DIR: dataDir,
      DATAPORT_EXPORT_THREADS: '0',
      DATAPORT_MAX_JOBS_PER_USER: '4',
      // Every job stays IN_PROGRESS through the burst, so the per-user cap counts all of them.
      DATAPORT_DEMO_FAULTS: groups.map((g) => `${g}=slow:60000`).join(','),
    };
    const tokenOf = async (user: string) => (await runCli(['token', '--user', user, '--resources', groups.join(',')], env)).lastLine;
    const [capped, duplicated, plain] = await Promise.all([tokenOf('capped'), tokenOf('duplicated'), tokenOf('plain')]);
    const first = await startServerProcess(env);
    children.push(first.child);
    const initiate = (token: string, group: string) =>
      googleClient(first.url, token)
        .portabilityArchive.initiate({ requestBody: { resources: [group] } })
        .then((r) => r.data.archiveJobId!);

    // Interleaved, all in flight at once: 8 groups for a user allowed 4 jobs, the same group 6 times for
    // another (one-time access: one job per group), 4 groups for a third user whom nothing refuses.
    const burst = [
      ...groups.map((g) => ({ user: 'capped', call: initiate(capped, g) })),
      ...Array.from({ length: 6 }, () => ({ user: 'duplicated', call: initiate(duplicated, 'chrome.history') })),
      ...groups.slice(0, 4).map((g) => ({ user: 'plain', call: initiate(plain, g) })),
    ];
    const outcomes = await Promise.all(
      burst.map(async ({ user, call }) => ({ user, jobId: await call.catch(() => undefined), refusal: await googleErrorOf(call).catch(() => undefined) })),
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const accepted = (user: string) => outcomes.filter((o) => o.user === user && o.jobId).map((o) => o.jobId!);
    const refusals = (user: string) => outcomes.filter((o) => o.user === user && !o.jobId).map((o) => `${o.refusal?.status} ${o.refusal?.error.status}`);
    expect(accepted('capped')).toHaveLength(4);
    expect(refusals('capped')).toEqual(Array(4).fill('429 RESOURCE_EXHAUSTED'));
    expect(accepted('duplicated')).toHaveLength(1);
    expect(refusals('duplicated')).toEqual(Array(5).fill('409 ALREADY_EXISTS'));
    expect(accepted('plain')).toHaveLength(4);

    // After the restart: exactly the accepted jobs, each readable by its owner.
    const second = await startServerProcess({ ...env, PORT: String(new URL(first.url).port) });
    children.push(second.child);
    for (const [user, token] of [
      ['capped', capped],
      ['duplicated', duplicated],
      ['plain', plain],
    ] as const) {
      const listed = (await runCli(['jobs', 'list', '--user', user], env)).stdout;
      const listedIds = [...listed.matchAll(/^(\S+)\s+IN_PROGRESS/gm)].map((m) => m[1]!).sort();
      expect(listedIds, `${user}'s jobs after kill -9`).toEqual([...accepted(user)].sort());
      for (const jobId of accepted(user)) {
        const { data } = await googleClient(second.url, token).archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${jobId}/portabilityArchiveState` });
        expect(data.state).toBe('IN_PROGRESS');
      }
    }
    // Not SIGTERM: its drain would wait for the slowed exports.
    second.child.kill('SIGKILL');
    await new Promise((r) => second.child.once('exit', r));
  });
});
