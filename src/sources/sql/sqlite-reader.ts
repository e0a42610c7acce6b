import v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { SqliteColumn } from './sqlite-values.js';

/** What a reader thread is given: the query, already checked and bound on the main thread, and its columns. */
export interface ReaderTask {
  readonly file: string;
  readonly text: string;
  readonly values: readonly unknown[];
  readonly columns: readonly SqliteColumn[];
  readonly fetchRows: number;
  readonly busyTimeoutMs: number;
  /** Batches the thread may have posted and not yet seen taken. */
  readonly ahead: number;
}

/** What the main thread posts a reader thread: a query to read, or that one more batch was taken. */
export type ReaderRequest = { task: ReaderTask } | { taken: true };

/**
 * What a reader thread posts: a batch of rows' JSON text, one a line (JSON.stringify never writes a line
 * break), the end, or the failure that ended it.
 */
export type ReaderMessage = { rows: string } | { done: true } | { error: { name: string; message: string; stack?: string; code?: string } };

/**
 * Batches posted and not yet taken: the one the writer is on while the thread reads the next. Two keep the
 * thread busy (a batch is ~1 ms of writing) and memory at a few batches of text.
 */
const AHEAD = 2;
/**
 * The thread's young generation. It makes short-lived strings, but a batch's survive until posted: with the
 * export threads' 4 MiB they were promoted, and 2,000,000 rows cost the collector's helpers 2.1-2.3 s and
 * this thread 7.0-7.3 s; with 8 MiB 0.6-0.8 s and 6.6-7.3 s; with 16 MiB 0.5-0.7 s and 5.1-6.7 s, for
 * ~15 MiB more peak RSS (bench/README.md, round 7).
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 16 };

/** Threads kept for the next query once theirs is read; more are started when queries overlap. */
const MAX_IDLE_THREADS = 2;
const idle: Worker[] = [];

/**
 * Reads a SQLite query's rows as JSON text in a thread of its own, a batch at a time, so the main thread only
 * writes them: stepping SQLite and writing each row's JSON was ~2/3 of a SQLite export's main thread
 * (bench/README.md, round 7), and the two now run side by side. A thread is taken (or started) at the first
 * pull and given back after the last row or a failure; a caller that stops early (`return`, `close`) ends
 * it instead, as it may be in the middle of the query. A failure in the thread ends the iteration with an
 * error of the same name, message and `code` (SQLITE_BUSY is retried as it was).
 */
export function readInThread(task: Omit<ReaderTask, 'ahead'>): { batches: AsyncGenerator<string[]>; close(): Promise<void> } {
  let busy: Worker | undefined;
  const close = async () => {
    const w = busy;
    busy = undefined;
    await w?.terminate();
  };
  async function* batches(): AsyncGenerator<string[]> {
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
        yield message.rows.split('\n');
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
