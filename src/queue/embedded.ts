import { randomUUID } from 'node:crypto';
import { queueItems, type Db } from '../store/index.js';
import { createConsumer, type Consumer } from './consumer.js';
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

type QueueItem = { id: number; job_id: string; deliveries: number };

/** A durable queue in the embedded database: one row per pending delivery, locked while a handler runs. */
export function createEmbeddedQueue(options: EmbeddedQueueOptions): JobQueue {
  const { db, now, lockMs } = options;
  const pollMs = options.pollMs ?? 500;
  const owner = `embedded-${randomUUID()}`;

  async function deliver(handler: DeliveryHandler, item: QueueItem, signal: AbortSignal) {
    const heartbeat = setInterval(
      () => {
        // `.catch(undefined)` would leave the rejection unhandled (a crash) when no onError was given.
        queueItems.extendItemLock(db, item.id, owner, now() + lockMs).catch((error: unknown) => options.onError?.(error));
      },
      Math.max(100, Math.floor(lockMs / 3)),
    );
    try {
      const outcome = await handler({ jobId: item.job_id, deliveries: item.deliveries, signal });
      if (outcome.kind === 'done') await queueItems.deleteItem(db, item.id);
      else await queueItems.releaseItem(db, item.id, now() + outcome.afterMs);
    } catch (error) {
      options.onError?.(error);
      // A handler that throws has not settled the job: deliver it again after a pause.
      await queueItems.releaseItem(db, item.id, now() + 1000).catch((error: unknown) => options.onError?.(error));
    } finally {
      clearInterval(heartbeat);
    }
  }

  let consumer: Consumer | undefined;
  return {
    async dispatch(jobId) {
      await queueItems.enqueueItem(db, jobId, now());
      consumer?.wake();
    },
    async dispatchWithin(trx, jobId) {
      await queueItems.enqueueItem(trx, jobId, now());
      return () => consumer?.wake();
    },
    async redispatch(jobId) {
      // Items are taken in run_at order: one due since the epoch goes before everything waiting. An item of
      // the job already waiting (or whose lock lapsed with its worker) is moved ahead instead of doubled.
      if ((await queueItems.moveItemsAhead(db, jobId)) === 0) await queueItems.enqueueItem(db, jobId, 0);
      consumer?.wake();
    },
    hasPending: (jobId) => queueItems.hasPendingItemFor(db, jobId),
    async ping() {
      await queueItems.hasPendingItemFor(db, '');
    },
    async start(handler, { concurrency }) {
      consumer ??= createConsumer({
        fetchNext: () => queueItems.lockNextItem(db, owner, now(), now() + lockMs),
        deliver: (item, signal) => deliver(handler, item, signal),
        pollMs,
        onError: options.onError,
      });
      consumer.start(concurrency);
    },
    async stop(deadlineMs = 10_000) {
      await consumer?.stop(deadlineMs);
    },
  };
}
