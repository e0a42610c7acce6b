import type { JobQueue } from './types.js';
import type { PgBossQueueOptions } from './pg-boss.js';

export type { JobQueue, Delivery, DeliveryHandler, DeliveryOutcome } from './types.js';
export { createEmbeddedQueue, type EmbeddedQueueOptions } from './embedded.js';
export { withDispatchSpans } from './traced.js';
export type { PgBossQueueOptions } from './pg-boss.js';

/**
 * The pg-boss queue, loaded on first use: pg-boss and pg cost an embedded server (which never uses them)
 * about 16 MiB of memory and start-up time if imported eagerly. Every JobQueue method is async, so the
 * first call simply waits for the import as well.
 */
export function createPgBossQueue(options: PgBossQueueOptions): JobQueue & { ready(): Promise<void> } {
  let queue: Promise<JobQueue & { ready(): Promise<void> }> | undefined;
  const load = () => (queue ??= import('./pg-boss.js').then((m) => m.createPgBossQueue(options)));
  return {
    ready: async () => (await load()).ready(),
    dispatch: async (...args) => (await load()).dispatch(...args),
    redispatch: async (...args) => (await load()).redispatch(...args),
    hasPending: async (...args) => (await load()).hasPending(...args),
    ping: async () => (await load()).ping(),
    start: async (...args) => (await load()).start(...args),
    stop: async (...args) => {
      // Never started: nothing to stop, and no reason to load pg-boss just to stop it.
      if (!queue) return;
      return (await queue).stop(...args);
    },
  };
}
