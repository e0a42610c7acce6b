import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dataport.js', import.meta.url));

/** Which `dataport` runs: this checkout's bin/dataport.js by default, or an installed `dataport` executable, from `cwd`. */
export interface Launch {
  executable?: string;
  cwd?: string;
}

function spawnDataport(args: string[], env: NodeJS.ProcessEnv, launch: Launch): ChildProcessByStdio<null, Readable, Readable> {
  const [file, argv] = launch.executable ? [launch.executable, args] : [process.execPath, [BIN, ...args]];
  return spawn(file, argv, { env, cwd: launch.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `dataport <args>` to completion and reports how it ended. */
export async function runCli(args: string[], env: Record<string, string>, launch: Launch = {}): Promise<{ stdout: string; stderr: string; lastLine: string; code: number }> {
  const child = spawnDataport(args, { ...process.env, ...env }, launch);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return { stdout, stderr, lastLine, code };
}

/** Starts `dataport start` as a child process and waits until it answers on its port. */
export async function startServerProcess(env: Record<string, string>, command = 'start', launch: Launch = {}): Promise<{ child: ChildProcess; url: string; logs: () => string }> {
  const child = spawnDataport([command], { ...process.env, PORT: '0', DATAPORT_LOG_LEVEL: 'info', ...env }, launch);
  let logs = '';
  child.stdout.on('data', (d) => (logs += d));
  child.stderr.on('data', (d) => (logs += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs}`)), 30_000);
    const check = () => {
      const m = /Dataport is running at (\S+)/.exec(logs);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${logs}`)));
  });
  return { child, url, logs: () => logs };
}

/**
 * Starts `dataport worker` (no API, so no URL to wait for) and resolves once its export workers have started.
 * Logs are kept so a failing test can show them.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; logs: () => string }> {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    // info at least: readiness is read from the "export workers started" line.
    env: { ...process.env, ...env, DATAPORT_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d) => (logs += d));
  child.stderr.on('data', (d) => (logs += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${logs}`)), 30_000);
    const check = () => {
      if (logs.includes('export workers started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${logs}`)));
  });
  return { child, logs: () => logs };
}
