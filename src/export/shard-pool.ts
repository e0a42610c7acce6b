import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { asSourceError, type RecordFormat } from '../sources/index.js';
import type { DeflatedRange } from './zip-writer.js';

/** One range of a records file, for a worker thread to make (see RecordShards in sources/types.ts). */
export interface ShardTask {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
  readonly from: number;
  readonly to: number;
  readonly format: RecordFormat;
  readonly level: number;
}

/** The range serialized and deflated, ready for ZipEntryWriter.writeDeflated. */
export interface ShardResult extends DeflatedRange {
  readonly records: number;
}

/** What a worker thread posts back. */
export type ShardReply =
  { deflated: Uint8Array; crc32: number; uncompressedBytes: number; records: number } | { error: { name: string; message: string; stack?: string } };

/**
 * Worker threads that make ranges of records files: produce, serialize, checksum and deflate. The export
 * runs on the main thread, which only stitches the ranges in order; without this, that one thread's
 * serializing is the limit of a large export whatever the cores (bench/README.md).
 */
export interface ShardPool {
  readonly threads: number;
  /** Threads running now (started and not exited). */
  readonly started: number;
  run(task: ShardTask): Promise<ShardResult>;
  /**
   * Starts every thread now rather than with the first long file, which then doesn't wait ~0.2 s for
   * threads to boot and load their modules. Idle threads don't keep the process alive.
   */
  prestart(): void;
  /** Stops the threads; ranges still waiting are rejected. */
  close(): Promise<void>;
}

interface Pending {
  task: ShardTask;
  resolve: (result: ShardResult) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  /** Ranges posted to the thread, in the order it makes them: the first is being made. */
  assigned: Pending[];
  failure: Error | undefined;
}

/**
 * Ranges posted to a thread at once: the one it is making and the next, so it starts the next the moment it
 * posts a result. With one at a time, each range waited for this thread to be scheduled, take the result
 * and post another: ~5 ms a range while both cores deflate, 12-14 % of each thread's time idle.
 */
const RANGES_PER_THREAD = 2;

/**
 * Threads start on first use (or at `prestart`) and stay for the next export; an idle thread does not keep
 * the process alive.
 * A thread that dies fails the range it was making (the job's ordinary error path) and is replaced on
 * demand; the ranges queued behind it go back to the front of the queue.
 */
export function createShardPool(threads: number): ShardPool {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`shard pool: threads must be at least 1, got ${threads}`);
  const live = new Set<Thread>();
  const waiting: Pending[] = [];
  let closed = false;

  function spawn(): Thread {
    const thread: Thread = { worker: startWorker(), assigned: [], failure: undefined };
    const { worker } = thread;
    worker.on('message', (reply: ShardReply) => {
      const pending = thread.assigned.shift();
      if (thread.assigned.length === 0) worker.unref();
      if (pending) {
        if ('error' in reply) pending.reject(rebuildError(reply.error));
        else pending.resolve({ ...reply, deflated: Buffer.from(reply.deflated.buffer, reply.deflated.byteOffset, reply.deflated.byteLength) });
      }
      dispatch();
    });
    worker.on('error', (error) => {
      thread.failure ??= error;
    });
    worker.on('exit', (code) => {
      live.delete(thread);
      const [current, ...queued] = thread.assigned.splice(0);
      current?.reject(thread.failure ?? new Error(`export worker thread stopped (exit code ${code})`));
      waiting.unshift(...queued);
      if (!closed) dispatch();
    });
    worker.unref(); // after the listeners: attaching a 'message' listener refs the thread's port again
    live.add(thread);
    return thread;
  }

  /** The thread with the fewest ranges that can take one more, starting one if the pool is not full. */
  function threadWithRoom(): Thread | undefined {
    let best: Thread | undefined;
    for (const thread of live) if (!best || thread.assigned.length < best.assigned.length) best = thread;
    if (best && best.assigned.length === 0) return best;
    if (live.size < threads) return spawn();
    return best && best.assigned.length < RANGES_PER_THREAD ? best : undefined;
  }

  function dispatch(): void {
    while (waiting.length > 0 && !closed) {
      const thread = threadWithRoom();
      if (!thread) return;
      const pending = waiting.shift()!;
      thread.assigned.push(pending);
      thread.worker.ref();
      thread.worker.postMessage(pending.task);
    }
  }

  return {
    threads,
    get started() {
      return live.size;
    },
    prestart() {
      while (!closed && live.size < threads) spawn();
    },
    run(task) {
      if (closed) return Promise.reject(new Error('shard pool is closed'));
      return new Promise<ShardResult>((resolve, reject) => {
        waiting.push({ task, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of waiting.splice(0)) pending.reject(new Error('shard pool is closed'));
      await Promise.all([...live].map((t) => t.worker.terminate()));
    },
  };
}

/**
 * A thread's young generation is small: a range's records are garbage as soon as they are text, and V8's
 * default (16 MiB semi-spaces) costs ~10 MiB of RSS a thread for no measured speed (bench/README.md).
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 4 };

/**
 * `npm start` sizes the main thread's young generation with `--max-semi-space-size` (docs/operations.md,
 * "Memory"). V8 applies that flag to every isolate made afterwards and it overrides a thread's
 * `resourceLimits`: each thread then had 32 MiB of new space, and a 1 GB export peaked at 290-300 MiB RSS.
 * The main isolate's heap is configured once, at startup, so clearing the flag now leaves the main thread
 * as started and lets THREAD_LIMITS rule the threads (test/slow/export/thread-settings.test.ts).
 */
function releaseSemiSpaceFlag(): void {
  v8.setFlagsFromString('--max-semi-space-size=0');
}

function startWorker(): Worker {
  releaseSemiSpaceFlag();
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./shard-worker.js', here), { resourceLimits: THREAD_LIMITS });
  // Running from the TypeScript sources (tsx, vitest): the thread registers tsx before loading the worker.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const workerUrl = new URL('./shard-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(boot, { eval: true, resourceLimits: THREAD_LIMITS });
}

/** Errors cross the thread boundary as name and message; a source's own classes are recognised by name. */
function rebuildError(e: { name: string; message: string; stack?: string }): Error {
  const error = Object.assign(new Error(e.message), { name: e.name });
  if (e.stack) error.stack = e.stack;
  return asSourceError(error) as Error;
}
