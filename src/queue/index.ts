export type { JobQueue, Delivery, DeliveryHandler, DeliveryOutcome } from './types.js';
export { createEmbeddedQueue, type EmbeddedQueueOptions } from './embedded.js';
export { createPgBossQueue, EXPORT_QUEUE, type PgBossQueueOptions } from './pg-boss.js';
