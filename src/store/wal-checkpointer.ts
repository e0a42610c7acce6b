import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * WAL checkpoints of the embedded database on a thread of their own.
 *
 * SQLite checkpoints inside whichever commit takes the WAL past `wal_autocheckpoint` pages (1,000 by default):
 * that commit copies the WAL's pages into the database file and waits for two fsyncs, on the thread that
 * serves the API. Under 200 initiates/s that was a stall of up to 15 ms several times a second, and the
 * requests that arrived meanwhile waited behind it (bench/README.md, round 4). Here a second connection, on a
 * worker thread, runs a PASSIVE checkpoint every `intervalMs`: it copies what has been committed without
 * blocking the API's reads or writes, and the API's own commits only append to the WAL.
 *
 * A passive checkpoint that overlaps writes can't let the WAL start over, so the API's connection keeps an
 * automatic checkpoint as a backstop (`BACKSTOP_AUTOCHECKPOINT_PAGES`): by the time it fires the
 * thread has copied nearly everything, and the WAL restarts after it.
 */
export interface WalCheckpointer {
  close(): Promise<void>;
}

/**
 * The thread's source, plain CommonJS (it runs the same from dist/ and under tsx). The driver is required by
 * the path the main thread resolved, so the thread finds it whatever the working folder.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
// Opening and preparing read the schema, which may wait for a writer; the checkpoint itself never waits.
db.pragma('busy_timeout = 5000');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
let reported = false;
const timer = setInterval(() => {
  try {
    checkpoint.get();
    reported = false;
  } catch (error) {
    // Once per run of failures: a checkpoint that fails keeps failing until what blocks it goes away.
    if (!reported) parentPort.postMessage({ error: String((error && error.message) || error) });
    reported = true;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

/** `connection`'s `wal_autocheckpoint` while a checkpointer runs: the backstop described above. */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 4096;
/** A burst can leave a long WAL behind; once it restarts, it is cut back to this. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Takes over the checkpoints of `connection`'s database file (in WAL mode), leaving the connection the backstop. */
export function startWalCheckpointer(connection: SQLite.Database, options: { intervalMs?: number; onError: (message: string) => void }): WalCheckpointer {
  connection.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  connection.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { file: connection.name, intervalMs: options.intervalMs ?? 100, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    // None of the process's flags: `--input-type=module` would make the eval'd source an ES module, where
    // `require` is undefined and the thread would die at once; `--import tsx` would load a compiler it never uses.
    execArgv: [],
    // It holds a connection and a timer, nothing else: a small heap is plenty.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.on('message', (m: { error?: string }) => {
    if (m.error) options.onError(m.error);
  });
  worker.on('error', (error) => options.onError(error.message));
  // It must not keep the process alive, nor its failure bring the process down: without it, SQLite's own
  // automatic checkpoint (the backstop) still bounds the WAL. Unreferenced after the listeners are added:
  // adding a 'message' listener references the worker's port again (Node 20 and later), so an unref() before
  // it was undone and a process that never closed the checkpointer never exited.
  worker.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  return {
    async close() {
      if (exited) return;
      // Referenced again while it closes: otherwise nothing would keep the process waiting for its exit.
      worker.ref();
      worker.postMessage('close');
      await exit;
    },
  };
}
