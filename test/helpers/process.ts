import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dataport.js', import.meta.url));

/** Which `dataport` runs: this checkout's bin/dataport.js by default, or an installed `dataport` executable, from `cwd`. */
export interface Launch {
  executable?: string;
  cwd?: string;
}

/** How a child `dataport` is started: `under` runs it under another command (`['strace', ...flags]`). */
interface ProcessOptions extends Launch {
  under?: string[];
  /** How long it may take to become ready (30 s). */
  timeoutMs?: number;
}

function spawnDataport(args: string[], env: NodeJS.ProcessEnv, launch: ProcessOptions): ChildProcessByStdio<null, Readable, Readable> {
  const [file, argv] = launch.executable ? [launch.executable, args] : [process.execPath, [BIN, ...args]];
  const [program, ...rest]: [string, ...string[]] = launch.under?.length ? [launch.under[0]!, ...launch.under.slice(1), file, ...argv] : [file, ...argv];
  return spawn(program, rest, { env, cwd: launch.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `dataport <args>` to completion and reports how it ended. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  launch: Launch = {},
): Promise<{ stdout: string; stderr: string; lastLine: string; code: number }> {
  const child = spawnDataport(args, { ...process.env, ...env }, launch);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': the output still in the pipes when the process exits is read by then (a loaded machine
  // once gave a usage error's exit code with an empty stderr).
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return { stdout, stderr, lastLine, code };
}

/**
 * How a test starts Dataport in a child process (a real `dataport` command: signals, exit codes, several
 * processes on one database). In-process servers come from startDataport (helpers/dataport.ts).
 */
interface ServerProcess {
  child: ChildProcess;
  url: string;
  logs: () => string;
}

/** Starts `dataport start` (or `serve`) as a child process and waits until it answers on its port. */
export async function startServerProcess(env: Record<string, string>, command = 'start', options: ProcessOptions = {}): Promise<ServerProcess> {
  const { child, logs, ready } = await startDataportProcess(
    command,
    { PORT: '0', DATAPORT_LOG_LEVEL: 'info', ...env },
    /Dataport is running at (\S+)/,
    options,
  );
  return { child, url: ready[1]!, logs };
}

/**
 * Starts `dataport worker` (no API, so no URL to wait for) and resolves once its export workers have started.
 * Logs are kept so a failing test can show them.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; logs: () => string }> {
  // info at least: readiness is read from the "export workers started" line.
  const { child, logs } = await startDataportProcess('worker', { ...env, DATAPORT_LOG_LEVEL: 'info' }, /export workers started/, {});
  return { child, logs };
}

/** Spawns `dataport <command>`, keeps its output, and resolves once `ready` matches it; rejects (and kills it) if it exits or stalls first. */
async function startDataportProcess(
  command: string,
  env: Record<string, string>,
  ready: RegExp,
  options: ProcessOptions,
): Promise<{ child: ChildProcess; logs: () => string; ready: RegExpExecArray }> {
  const child = spawnDataport([command], { ...process.env, ...env }, options);
  let logs = '';
  child.stdout.on('data', (d) => (logs += d));
  child.stderr.on('data', (d) => (logs += d));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dataport ${command} did not start:\n${logs}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      const m = ready.exec(logs);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dataport ${command} exited with ${code}:\n${logs}`));
    });
  });
  return { child, logs: () => logs, ready: match };
}

/**
 * A loopback port nobody listens on now: for a server that must keep its port across restarts (one issuer),
 * a redirect URI registered before its listener starts, or a receiver that is down for a while, then up.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
