export type { JobQueue, Delivery, DeliveryHandler, DeliveryOutcome } from './types.js';
export { createEmbeddedQueue, type EmbeddedQueueOptions } from './embedded.js';
