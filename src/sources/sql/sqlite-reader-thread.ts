/**
 * A SQLite reader thread (see sqlite-reader.ts): runs one query at a time on its own read-only connection and
 * posts its rows' values, `fetchRows` rows a message, while the main thread converts and writes the rows
 * before. It stays for the next query: starting a thread costs ~50 ms.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ReaderMessage, ReaderRequest, ReaderTask } from './sqlite-reader.js';

/**
 * An export is background work beside the requests the same machine answers: as the export threads
 * (export/shard-worker.ts), this thread yields the CPU to them when both want it. On Linux `setpriority` on
 * process id 0 applies to the calling thread only.
 */
const READER_NICENESS = 10;
if (process.platform === 'linux') setPriority(Math.max(READER_NICENESS, getPriority()));

const port = parentPort!;
/** Batches this thread may still post before the main thread has taken them: it credits one back per batch taken. */
let credit = 0;
let wake: (() => void) | undefined;
port.on('message', (request: ReaderRequest) => {
  if ('task' in request) {
    credit = request.task.ahead;
    void read(request.task).then(
      () => post({ done: true }),
      (error: unknown) => post({ error: errorMessage(error) }),
    );
    return;
  }
  credit++;
  wake?.();
});

async function read(task: ReaderTask): Promise<void> {
  const db = new Database(task.file, { readonly: true, fileMustExist: true, timeout: task.busyTimeoutMs });
  try {
    const iterator = db
      .prepare(task.text)
      .raw(true)
      .safeIntegers(true)
      .iterate(...task.values) as IterableIterator<unknown[]>;
    try {
      for (;;) {
        // Memory stays bounded: no reading ahead of what the archive writer has taken.
        while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
        // One flat array a batch, row after row: one object to clone instead of a thousand.
        const values: unknown[] = [];
        let rows = 0;
        while (rows < task.fetchRows) {
          const step = iterator.next();
          if (step.done) break;
          for (const value of step.value) values.push(value);
          rows++;
        }
        credit--;
        if (rows > 0) post({ values });
        if (rows < task.fetchRows) return;
      }
    } finally {
      iterator.return?.();
    }
  } finally {
    db.close();
  }
}

function post(message: ReaderMessage): void {
  port.postMessage(message);
}

function errorMessage(error: unknown): Extract<ReaderMessage, { error: unknown }>['error'] {
  const e = error as { name?: string; message?: string; stack?: string; code?: unknown };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(error),
    ...(e.stack ? { stack: e.stack } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}
