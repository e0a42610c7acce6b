import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
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
 * The thread's young generation. It makes short-lived strings only; 4 MiB (the export threads') cost it
 * twice the scavenges, a larger one buys little.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 16 };

/**
 * Reads a SQLite query's rows as JSON text in a thread of its own, a batch at a time, so the main thread only
 * writes them: stepping SQLite and writing each row's JSON was ~2/3 of a SQLite export's main thread
 * (bench/README.md, round 7), and the two now run side by side. The thread starts with the first pull and
 * stops with the last, or when the caller stops early (`return`, `close`). A failure in the thread ends the
 * iteration with an error of the same name, message and `code` (SQLITE_BUSY is retried as it was).
 */
export function readInThread(task: Omit<ReaderTask, 'ahead'>): { batches: AsyncGenerator<string[]>; close(): Promise<void> } {
  let worker: Worker | undefined;
  const close = async () => {
    const w = worker;
    worker = undefined;
    await w?.terminate();
  };
  async function* batches(): AsyncGenerator<string[]> {
    const messages: ReaderMessage[] = [];
    let failure: Error | undefined;
    let exited = false;
    let notify: (() => void) | undefined;
    const w = startThread({ ...task, ahead: AHEAD });
    worker = w;
    w.on('message', (message: ReaderMessage) => {
      messages.push(message);
      notify?.();
    });
    w.on('error', (error) => {
      failure ??= error;
      notify?.();
    });
    w.on('exit', () => {
      exited = true;
      notify?.();
    });
    try {
      for (;;) {
        while (messages.length === 0 && !failure && !exited) await new Promise<void>((resolve) => (notify = resolve));
        const message = messages.shift();
        if (!message) throw failure ?? new Error('the SQLite reader thread stopped before the end of the rows');
        if ('error' in message) throw rebuildError(message.error);
        if ('done' in message) return;
        w.postMessage(0); // taken: the thread may read one batch more
        yield message.rows.split('\n');
      }
    } finally {
      await close();
    }
  }
  return { batches: batches(), close };
}

function startThread(task: ReaderTask): Worker {
  // As export/shard-pool.ts: `--max-semi-space-size` (npm start) would override the thread's own limits.
  v8.setFlagsFromString('--max-semi-space-size=0');
  const here = import.meta.url;
  const options = { workerData: task, resourceLimits: THREAD_LIMITS };
  if (!here.endsWith('.ts')) return new Worker(new URL('./sqlite-reader-thread.js', here), options);
  // Running from the TypeScript sources (tsx, vitest): the thread registers tsx before loading its module.
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
