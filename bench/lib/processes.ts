import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real CLI, compiled: benchmarks drive Dataport exactly as `npm start` does. bin/dataport.js would
 * fall back to the TypeScript sources (tsx) whenever any file under src/ is newer than the build, which on
 * a shared working tree changes under a running benchmark; `buildDataport()` runs first and this path
 * pins the compiled entry point.
 */
export const DATAPORT_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BUILD = fileURLToPath(new URL('../../bin/build.js', import.meta.url));

/** `npm run build`: compiles src/ to dist/ (what `npm start` runs). Throws if it fails. */
export function buildDataport(): void {
  const result = spawnSync(process.execPath, [BUILD], { stdio: ['ignore', 2, 2] }); // stdout is the JSON's
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface RunningServer {
  child: ChildProcess;
  pid: number;
  url: string;
  dataDir: string;
  logs: () => string;
  stop(): Promise<void>;
}

/**
 * The V8 heap flags `npm start` passes (package.json; docs/operations.md, "Memory"): without them a long export
 * grows the young generation to 128 MiB and lets 100 MiB of promoted garbage pile up before the first full GC.
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=1024'];

/**
 * For looking inside a run: BENCH_SERVER_NODE_ARGS adds node flags to every `dataport start` (`--trace-gc`,
 * `--require` of a probe), and BENCH_SERVER_LOG appends what the servers print to that file.
 */
const EXTRA_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const SERVER_LOG = process.env.BENCH_SERVER_LOG;

/** Starts `dataport start` (compiled) (API + workers in one process), as `npm start` does, and waits until it listens. */
export async function startDataportProcess(dataDir: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, ...EXTRA_NODE_ARGS, DATAPORT_BIN, 'start'], {
    // The limits are off: one client polls thousands of times a second, and each bench user queues many jobs at
    // once (docs/configuration.md, "Limits"). A run may turn them on through `env`.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATAPORT_DATA_DIR: dataDir,
      DATAPORT_LOG_LEVEL: 'warn',
      DATAPORT_API_RATE_LIMIT: '0',
      DATAPORT_MAX_JOBS_PER_USER: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d) => (logs += d));
  child.stderr.on('data', (d) => (logs += d));
  if (SERVER_LOG) for (const stream of [child.stdout, child.stderr]) stream.on('data', (d: Buffer) => appendFileSync(SERVER_LOG, d));
  const url = await waitForLine(child, () => logs, /Dataport is running at (\S+)/, 60_000);
  return {
    child,
    pid: child.pid!,
    url,
    dataDir,
    logs: () => logs,
    stop: () => stopChild(child),
  };
}

/** Runs a script with tsx in its own process; resolves with its stdout once it exits 0. */
export async function runTsx(script: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [TSX_CLI, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, script);
}

/** Starts a long-running tsx script that prints `listening <url>` once ready. */
export async function startTsxServer(script: string, args: string[]): Promise<{ child: ChildProcess; pid: number; url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [TSX_CLI, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d) => (logs += d));
  child.stderr.on('data', (d) => (logs += d));
  const url = await waitForLine(child, () => logs, /listening (\S+)/, 30_000);
  return { child, pid: child.pid!, url, stop: () => stopChild(child) };
}

/** `dataport token ...` against the server's data folder; returns the access token it prints. */
export async function mintToken(dataDir: string, user: string, resources: string[], access: 'once' | '30d' | '180d' = 'once'): Promise<string> {
  const child = spawn(process.execPath, [DATAPORT_BIN, 'token', '--user', user, '--resources', resources.join(','), '--access', access], {
    env: { ...process.env, DATAPORT_DATA_DIR: dataDir, DATAPORT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = await collect(child, 'dataport token');
  const token = out.trim().split('\n').at(-1)!;
  if (!token.startsWith('dpa_')) throw new Error(`dataport token printed no token: ${out}`);
  return token;
}

/** Runs a command to completion; resolves with wall time. */
/** Runs a command to its end and returns its standard output; throws with its stderr if it fails. */
export async function runCommand(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, cmd);
}

export async function timeCommand(cmd: string, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  await collect(child, cmd);
  return performance.now() - started;
}

/** Peak and current resident set of a process, from /proc (Linux). */
export function memoryOf(pid: number): { rssBytes: number; hwmBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms, from /proc (Linux). On a loaded
 * machine the wall time of a run moves with the neighbours; the CPU time of the same work moves far less.
 */
export function cpuTimeOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK): 100 on Linux

/**
 * CPU time so far (ms) of a process's threads, summed by thread name (Linux): Node's main thread is
 * `MainThread`, the libuv pool that runs deflate `libuv-worker`, V8's garbage collector helpers `V8Worker`,
 * worker_threads `WorkerThread`. Where the time goes without a profiler.
 */
export function threadCpuOf(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName;
}

/** `after - before` for each thread name, dropping those that used nothing. */
export function threadCpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([name, ms]) => [name, Math.round(ms - (before[name] ?? 0))] as const)
      .filter(([, ms]) => ms > 0),
  );
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest seen (and VmHWM). */
export function sampleRss(pid: number, intervalMs = 50) {
  let peak = 0;
  const sample = () => {
    const m = memoryOf(pid);
    if (m && m.rssBytes > peak) peak = m.rssBytes;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): { peakRssBytes: number; vmHwmBytes: number } {
      clearInterval(timer);
      sample();
      return { peakRssBytes: peak, vmHwmBytes: memoryOf(pid)?.hwmBytes ?? NaN };
    },
  };
}

async function collect(child: ChildProcess, name: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the output pipes may still hold the last of what the process wrote.
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${stderr.slice(-4000)}`);
  return stdout;
}

async function waitForLine(child: ChildProcess, logs: () => string, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process did not start in ${timeoutMs} ms:\n${logs()}`)), timeoutMs);
    const check = () => {
      const m = pattern.exec(logs());
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before it was ready:\n${logs()}`));
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
