import { setTimeout as sleep } from 'node:timers/promises';

export interface Consumer {
  start(concurrency: number): void;
  /** Ends an idle sleep: work was just enqueued in this process. */
  wake(): void;
  /** Stops taking deliveries; running ones get until `deadlineMs`, then their signal aborts. */
  stop(deadlineMs: number): Promise<void>;
}

export interface ConsumerOptions<T> {
  /** Takes the next due delivery, if any (and locks it for this worker). */
  fetchNext: () => Promise<T | undefined>;
  /** Runs one delivery to its end and settles it with the queue; `signal` aborts at the shutdown deadline. */
  deliver: (item: T, signal: AbortSignal) => Promise<void>;
  /** How long an idle consumer sleeps before asking again (a `wake()` ends the sleep early). */
  pollMs: number;
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * The consuming side that every queue shares: take one delivery at a time while fewer than `concurrency`
 * run, sleep when there is none, and on stop let running deliveries finish until a deadline, then abort them
 * (the export runner hands an aborted job back). Queues differ only in how they fetch and settle.
 */
export function createConsumer<T>(options: ConsumerOptions<T>): Consumer {
  let running = false;
  let wakeSleeper: (() => void) | undefined;
  let loopDone: Promise<void> = Promise.resolve();
  const active = new Set<Promise<void>>();
  const shutdown = new AbortController();

  async function loop(concurrency: number) {
    while (running) {
      if (active.size >= concurrency) {
        await Promise.race(active);
        continue;
      }
      let item: T | undefined;
      try {
        item = await options.fetchNext();
      } catch (error) {
        options.onError?.(error);
      }
      if (item === undefined) {
        await new Promise<void>((resolve) => {
          wakeSleeper = resolve;
          sleep(options.pollMs).then(resolve, resolve);
        });
        wakeSleeper = undefined;
        continue;
      }
      const p: Promise<void> = options.deliver(item, shutdown.signal).finally(() => active.delete(p));
      active.add(p);
    }
  }

  return {
    start(concurrency: number): void {
      if (running || concurrency === 0) return;
      running = true;
      loopDone = loop(concurrency);
    },
    wake(): void {
      wakeSleeper?.();
    },
    async stop(deadlineMs: number): Promise<void> {
      running = false;
      wakeSleeper?.();
      // The deadline starts now: the loop itself may be waiting for a handler slot to free up.
      const timer = setTimeout(() => shutdown.abort(new Error('worker shutting down')), deadlineMs);
      await loopDone;
      await Promise.allSettled([...active]);
      clearTimeout(timer);
    },
  };
}
