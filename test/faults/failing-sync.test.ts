import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { googleClient, googleErrorOf } from '../helpers/dataport.js';
import { runCli, startServerProcess } from '../helpers/process.js';

/**
 * The embedded store answers a write only after an fdatasync of the WAL covered it (store/group-commit.ts).
 * When that sync fails, the write must not be acknowledged, and nothing after it either: after a failed fsync
 * Linux may report the next one as successful although the pages it failed to write are gone. A C shim
 * preloaded into the server (fixtures/failing-sync.c, compiled here) makes fdatasync and fsync fail with EIO
 * while a flag file exists.
 */
const compiler = ['cc', 'gcc'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);

describe.skipIf(compiler === undefined)(`a disk whose syncs fail${compiler ? '' : ' (skipped: no C compiler to build the shim)'}`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'dataport-failing-sync-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('the initiate whose commit could not be synced answers 503 UNAVAILABLE, every request after it too until a restart; the restarted server has the jobs answered before', async () => {
    const shim = path.join(work, 'failing-sync.so');
    execFileSync(compiler!, ['-shared', '-fPIC', '-O2', '-o', shim, path.join(import.meta.dirname, 'fixtures', 'failing-sync.c'), '-ldl']);
    const flag = path.join(work, 'fail-syncs-now');
    const group = 'myactivity.search';
    const env = {
      DATAPORT_DATA_DIR: path.join(work, 'data'),
      DATAPORT_EXPORT_THREADS: '0',
      // The jobs stay IN_PROGRESS: nothing but the requests below writes to the database.
      DATAPORT_DEMO_FAULTS: `${group}=slow:60000`,
    };
    const token = (await runCli(['token', '--user', 'alice', '--resources', group], env)).lastLine;
    const server = await startServerProcess({ ...env, LD_PRELOAD: shim, DATAPORT_TEST_FAIL_SYNC_WHILE: flag });
    children.push(server.child);
    const api = googleClient(server.url, token);
    const accepted = (await api.portabilityArchive.initiate({ requestBody: { resources: [group] } })).data.archiveJobId!;

    writeFileSync(flag, '');
    const refused = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: [group], startTime: '2024-01-01T00:00:00Z' } }));
    expect(refused.status).toBe(503);
    expect(refused.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });

    // The disk works again, but what the failed sync lost can't be known: the server acknowledges nothing more.
    rmSync(flag);
    const afterwards = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: [group], startTime: '2024-02-01T00:00:00Z' } }));
    expect(afterwards.status).toBe(503);
    expect(afterwards.error.status).toBe('UNAVAILABLE');
    expect(server.logs()).toMatch(/could not be synced to the disk/);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);

    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    const restarted = await startServerProcess(env);
    children.push(restarted.child);
    const state = await googleClient(restarted.url, token).archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${accepted}/portabilityArchiveState` });
    expect(state.status).toBe(200);
    expect(state.data.state).toBe('IN_PROGRESS');
    expect((await fetch(`${restarted.url}/readyz`)).status).toBe(200);
  });
});
