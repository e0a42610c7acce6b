import { Worker } from 'node:worker_threads';
import type { Config } from './config.js';

/** Messages the API thread sends to the export thread. */
export type ToWorkerThread =
  | { type: 'dispatched' }
  | { type: 'cancel'; jobId: string }
  | { type: 'close'; deadlineMs: number };

/** Messages the export thread sends back. */
export type FromWorkerThread = { type: 'started' } | { type: 'closed' } | { type: 'failed'; message: string };

export interface WorkerThread {
  /** A job was enqueued: the thread looks for work now rather than at its next poll. */
  dispatched(): void;
  /** The job was cancelled: a run of it in the thread stops at once. */
  cancel(jobId: string): void;
  /** Stops taking work, gives running exports `deadlineMs`, and ends the thread. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * `dataport start` runs the export workers in a worker thread with their own SQLite connection (WAL lets
 * the two connections work side by side), so the API thread's event loop never runs an export's
 * serialization or the workers' SQLite statements: an initiate no longer waits behind them. The thread
 * is the worker role of createDataport, unchanged; jobs still reach it through the queue table, and the
 * messages only shorten waits (a dispatch wakes it, a cancel stops the run at once instead of at the next
 * lease heartbeat). `onFailure` is called if the thread dies after it started.
 */
export async function startWorkerThread(config: Config, onFailure: (error: Error) => void): Promise<WorkerThread> {
  const worker = spawnThread({ config });
  let closing = false;
  let closed: () => void = () => {};
  const done = new Promise<void>((resolve) => (closed = resolve));
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: FromWorkerThread) => {
      if (m.type === 'started') {
        worker.off('error', reject);
        resolve();
      } else if (m.type === 'failed') {
        reject(new Error(m.message));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the export thread exited with code ${code} while starting`)));
  });
  worker.on('message', (m: FromWorkerThread) => {
    if (m.type === 'closed') closed();
  });
  worker.on('error', (error) => {
    if (!closing) onFailure(error);
  });
  worker.on('exit', (code) => {
    closed();
    if (!closing) onFailure(new Error(`the export thread exited with code ${code}`));
  });
  const send = (m: ToWorkerThread) => worker.postMessage(m);
  return {
    dispatched: () => send({ type: 'dispatched' }),
    cancel: (jobId) => send({ type: 'cancel', jobId }),
    async close(deadlineMs) {
      closing = true;
      send({ type: 'close', deadlineMs });
      await done;
      await worker.terminate();
    },
  };
}

function spawnThread(workerData: { config: Config }): Worker {
  // Compiled (dist/): the entry is plain JavaScript. From sources (tsx): the thread registers tsx first,
  // as bin/dataport.js did for the main thread (loader hooks are not inherited by threads on Node 20).
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker-thread-entry.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker-thread-entry.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
