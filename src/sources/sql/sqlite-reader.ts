import v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** What a reader thread is given: the query, already checked and bound on the main thread. */
export interface ReaderTask {
  readonly file: string;
  readonly text: string;
  readonly values: readonly unknown[];
  readonly fetchRows: number;
  readonly busyTimeoutMs: number;
  /** Batches the thread may have posted and not yet seen taken. */
  readonly ahead: number;
}

/** What the main thread posts a reader thread: a query to read, or that one more batch was taken. */
export type ReaderRequest = { task: ReaderTask } | { taken: true };

/**
 * What a reader thread posts: a batch's values, row after row as SQLite gives them (`raw`, `safeIntegers`;
 * a BLOB arrives as a Uint8Array, no longer a Buffer), the end, or the failure that ended it.
 */
export type ReaderMessage = { values: unknown[] } | { done: true } | { error: { name: string; message: string; stack?: string; code?: string } };

/**
 * Batches posted and not yet taken: the one being converted and written while the thread reads the next. Two
 * keep the thread busy and memory at a few batches of values.
 */
const AHEAD = 2;
/**
 * The thread's young generation, as the export threads' (export/shard-pool.ts): it only steps SQLite and
 * clones values. Measured on 2,000,000 rows: 4, 8 and 16 MiB cost this thread the same CPU (2.8-3.3 s); the
 * export's peak RSS was 222-239, 226-248 and 234-267 MiB.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 4 };

/** Threads kept for the next query once theirs is read; more are started when queries overlap. */
const MAX_IDLE_THREADS = 2;
const idle: Worker[] = [];

/**
 * Reads a SQLite query's rows in a thread of its own, a batch of values at a time: stepping SQLite and
 * making its values was ~40 % of a SQLite export's main thread (bench/README.md, round 7), and now runs
 * beside the conversion and writing of the rows before. A thread is taken (or started) at the first pull and
 * given back after the last row or a failure; a caller that stops early (`return`, `close`) ends it instead,
 * as it may be in the middle of the query. A failure in the thread ends the iteration with an error of the
 * same name, message and `code` (SQLITE_BUSY is retried as it was).
 */
export function readInThread(task: Omit<ReaderTask, 'ahead'>): { batches: AsyncGenerator<unknown[]>; close(): Promise<void> } {
  let busy: Worker | undefined;
  const close = async () => {
    const w = busy;
    busy = undefined;
    await w?.terminate();
  };
  async function* batches(): AsyncGenerator<unknown[]> {
    const messages: ReaderMessage[] = [];
    let failure: Error | undefined;
    let notify: (() => void) | undefined;
    const onMessage = (message: ReaderMessage) => {
      messages.push(message);
      notify?.();
    };
    const onError = (error: Error) => {
      failure ??= error;
      notify?.();
    };
    const onExit = () => onError(new Error('the SQLite reader thread stopped before the end of the rows'));
    const w = takeThread();
    busy = w;
    w.on('message', onMessage).on('error', onError).on('exit', onExit);
    w.postMessage({ task: { ...task, ahead: AHEAD } } satisfies ReaderRequest);
    try {
      for (;;) {
        while (messages.length === 0 && !failure) await new Promise<void>((resolve) => (notify = resolve));
        const message = messages.shift();
        if (!message) throw failure!;
        if ('error' in message) {
          giveBack(w);
          throw rebuildError(message.error);
        }
        if ('done' in message) {
          giveBack(w);
          return;
        }
        w.postMessage({ taken: true } satisfies ReaderRequest); // the thread may read one batch more
        yield message.values;
      }
    } finally {
      w.off('message', onMessage).off('error', onError).off('exit', onExit);
      await close(); // a thread not given back (stopped early, or failed) is ended
    }
  }
  /** The query is over: the thread is idle again, kept for the next one or ended. */
  function giveBack(w: Worker): void {
    busy = undefined;
    if (idle.length < MAX_IDLE_THREADS) {
      w.unref(); // an idle thread does not keep the process alive
      idle.push(w);
    } else void w.terminate();
  }
  return { batches: batches(), close };
}

function takeThread(): Worker {
  const w = idle.pop() ?? startThread();
  w.ref();
  return w;
}

function startThread(): Worker {
  // As export/shard-pool.ts: `--max-semi-space-size` (npm start) would override the thread's own limits.
  v8.setFlagsFromString('--max-semi-space-size=0');
  const here = import.meta.url;
  const options = { resourceLimits: THREAD_LIMITS };
  const w = here.endsWith('.ts') ? startFromSources(here, options) : new Worker(new URL('./sqlite-reader-thread.js', here), options);
  // An idle thread that dies (out of memory, terminated) is no longer one to take.
  w.on('exit', () => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
  });
  return w;
}

/** Running from the TypeScript sources (tsx, vitest): the thread registers tsx before loading its module. */
function startFromSources(here: string, options: WorkerOptions): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const threadUrl = new URL('./sqlite-reader-thread.ts', here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(threadUrl)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

function rebuildError(e: { name: string; message: string; stack?: string; code?: string }): Error {
  const error = Object.assign(new Error(e.message), { name: e.name }, e.code ? { code: e.code } : {});
  if (e.stack) error.stack = e.stack;
  return error;
}
