import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { queueItems, type Db } from '../store/index.js';
import type { DeliveryHandler, JobQueue } from './types.js';

export interface EmbeddedQueueOptions {
  db: Db;
  now: () => number;
  /** How long a delivery stays locked without a heartbeat; renewed every third of it. */
  lockMs: number;
  /** How often an idle worker looks for due items (dispatches in this process wake it at once). */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

/** A durable queue in the embedded database: one row per pending delivery, locked while a handler runs. */
export function createEmbeddedQueue(options: EmbeddedQueueOptions): JobQueue {
  const { db, now, lockMs } = options;
  const pollMs = options.pollMs ?? 500;
  const owner = `embedded-${randomUUID()}`;
  let running = false;
  let wake: (() => void) | undefined;
  const active = new Set<Promise<void>>();
  const shutdown = new AbortController();

  async function deliver(handler: DeliveryHandler, item: { id: number; job_id: string; deliveries: number }) {
    const heartbeat = setInterval(() => {
      queueItems.extendItemLock(db, item.id, owner, now() + lockMs).catch(options.onError);
    }, Math.max(100, Math.floor(lockMs / 3)));
    try {
      const outcome = await handler({ jobId: item.job_id, deliveries: item.deliveries, signal: shutdown.signal });
      if (outcome.kind === 'done') await queueItems.deleteItem(db, item.id);
      else await queueItems.releaseItem(db, item.id, now() + outcome.afterMs);
    } catch (error) {
      options.onError?.(error);
      // A handler that throws has not settled the job: deliver it again after a pause.
      await queueItems.releaseItem(db, item.id, now() + 1000).catch(options.onError);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function loop(handler: DeliveryHandler, concurrency: number) {
    while (running) {
      if (active.size >= concurrency) {
        await Promise.race(active);
        continue;
      }
      let item;
      try {
        item = await queueItems.lockNextItem(db, owner, now(), now() + lockMs);
      } catch (error) {
        options.onError?.(error);
      }
      if (!item) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          sleep(pollMs).then(resolve, resolve);
        });
        wake = undefined;
        continue;
      }
      const p: Promise<void> = deliver(handler, item).finally(() => active.delete(p));
      active.add(p);
    }
  }

  let loopDone: Promise<void> = Promise.resolve();
  return {
    async dispatch(jobId) {
      await queueItems.enqueueItem(db, jobId, now());
      wake?.();
    },
    hasPending: (jobId) => queueItems.hasPendingItemFor(db, jobId),
    async start(handler, { concurrency }) {
      if (running || concurrency === 0) return;
      running = true;
      loopDone = loop(handler, concurrency);
    },
    async stop(deadlineMs = 10_000) {
      running = false;
      wake?.();
      // The deadline starts now: the loop itself may be waiting for a handler slot to free up.
      const timer = setTimeout(() => shutdown.abort(new Error('worker shutting down')), deadlineMs);
      await loopDone;
      const drained = Promise.allSettled([...active]);
      await drained;
      clearTimeout(timer);
    },
  };
}
