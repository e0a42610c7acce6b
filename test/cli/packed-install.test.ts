import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess, type Launch } from '../helpers/process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Dataport as an operator gets it: `npm pack`, `npm install -g` of the tarball into a fresh prefix, then the
 * installed `dataport` run from an empty folder. The installed package must run its compiled server (dist/):
 * it has no src/, and its tsx (kept for operators' `.ts` plugins) is moved out of reach while it serves an
 * export. The install fetches dependencies through npm's cache (`--prefer-offline`: what `npm ci` left there
 * is not asked for again). About a minute on a busy 2-core machine, most of it `npm pack` (its build) and
 * `npm install`.
 */
describe('the packed package, installed with npm install -g', () => {
  let work: string;
  let installed: string;
  let launch: Launch;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'dataport-packed-'));
    // npm's own scripts (prepare, the build) and the installed `dataport` find node through PATH: this Node first.
    env = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
    await npm(['pack', '--pack-destination', work], ROOT);
    const tarball = readdirSync(work).find((name) => /^dataport-.+\.tgz$/.test(name));
    expect(tarball, `npm pack left ${readdirSync(work).join(', ')}`).toBeDefined();
    const prefix = path.join(work, 'prefix');
    await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(work, tarball!)], work);
    installed = path.join(prefix, 'lib', 'node_modules', 'dataport');
    const folder = path.join(work, 'any-folder');
    mkdirSync(folder);
    launch = { executable: path.join(prefix, 'bin', 'dataport'), cwd: folder };
  }, 300_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  async function npm(args: string[], cwd: string): Promise<void> {
    try {
      await promisify(execFile)('npm', [...args, '--loglevel=error'], { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`npm ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: e });
    }
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  it('ships the compiled server and its data files, not the sources; tsx stays a dependency for .ts plugins', () => {
    const entries = readdirSync(installed).sort();
    expect(entries).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'locales', 'node_modules', 'package.json']);
    expect(existsSync(path.join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'dist', 'catalog', 'google-resource-groups.json'))).toBe(true);
    expect(existsSync(path.join(installed, 'locales', 'en.json'))).toBe(true);
    expect(existsSync(path.join(installed, 'node_modules', 'tsx', 'package.json'))).toBe(true);
  });

  it('`dataport start` in an empty folder serves an export to the googleapis client, without tsx', async () => {
    const tsx = path.join(installed, 'node_modules', 'tsx');
    renameSync(tsx, `${tsx}-out-of-reach`);
    const server = await startServerProcess(env, 'start', launch);
    try {
      // The data folder defaults to ./data of the folder it was started in.
      expect(existsSync(path.join(launch.cwd!, 'data'))).toBe(true);
      const minted = await runCli(['token', '--user', 'alice', '--resources', 'myactivity.search', '--access', 'once'], env, launch);
      expect(minted.code, minted.stderr).toBe(0);
      const api = googleClient(server.url, minted.lastLine);
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
      const state = await waitForState(api, job.archiveJobId!);
      expect(state.state, server.logs()).toBe('COMPLETE');
      const zip = await download(state.urls![0]!);
      expect(zip.status).toBe(200);
      const names = (await readZip(zip.body)).map((entry) => entry.name);
      expect(names).toContain('Portability/archive_browser.json');
      expect(names).toContain('Portability/My Activity/Search/MyActivity.json');
      expect(server.logs()).not.toContain('TypeScript sources');
    } finally {
      await stop(server.child);
      renameSync(`${tsx}-out-of-reach`, tsx);
    }
  });

  it('loads an operator’s TypeScript plugin through the tsx it ships', async () => {
    const plugin = path.join(work, 'plugin');
    mkdirSync(plugin);
    for (const file of ['catalog.yaml', 'loyalty-source.ts']) copyFileSync(path.join(ROOT, 'examples', 'plugin', file), path.join(plugin, file));
    const pluginEnv = { ...env, DATAPORT_CATALOG: path.join(plugin, 'catalog.yaml'), DATAPORT_DATA_DIR: path.join(plugin, 'data') };
    const server = await startServerProcess(pluginEnv, 'start', launch);
    try {
      const minted = await runCli(['token', '--user', 'bob', '--resources', 'loyalty.card', '--access', 'once'], pluginEnv, launch);
      expect(minted.code, minted.stderr).toBe(0);
      const api = googleClient(server.url, minted.lastLine);
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['loyalty.card'] } });
      expect((await waitForState(api, job.archiveJobId!)).state, server.logs()).toBe('COMPLETE');
    } finally {
      await stop(server.child);
    }
  });

  it('without dist/ it stops with a message instead of running anything else', async () => {
    const dist = path.join(installed, 'dist');
    renameSync(dist, `${dist}-gone`);
    try {
      const run = await runCli(['--help'], env, launch);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('this installation has no compiled server');
    } finally {
      renameSync(`${dist}-gone`, dist);
    }
  });
});
