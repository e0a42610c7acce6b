import type { JobDispatcher } from '../jobs/index.js';

export interface Delivery {
  jobId: string;
  /** 1 on the first delivery; more after crashes or retries. */
  deliveries: number;
  /** Aborted when the queue stops (shutdown) and the deadline for running work has passed. */
  signal: AbortSignal;
}

/** What the handler wants done with the delivery. */
export type DeliveryOutcome = { kind: 'done' } | { kind: 'retry'; afterMs: number };

export type DeliveryHandler = (delivery: Delivery) => Promise<DeliveryOutcome>;

/**
 * How jobs reach workers: at-least-once delivery of job ids. A delivery that is not settled (the worker
 * died) is delivered again once its lock lapses. Embedded: a table in SQLite; at scale: pg-boss.
 */
export interface JobQueue extends JobDispatcher {
  /** Starts consuming with at most `concurrency` handlers at once. */
  start(handler: DeliveryHandler, options: { concurrency: number }): Promise<void>;
  /** Whether a delivery of this job is waiting or running (used to find jobs that were never dispatched). */
  hasPending(jobId: string): Promise<boolean>;
  /**
   * Dispatches a job whose run was lost (its worker vanished) ahead of every delivery not yet taken; a
   * delivery of it already waiting is moved ahead instead, so calling it again adds nothing.
   */
  redispatch(jobId: string): Promise<void>;
  /** Resolves when the queue's store answers (`/readyz`); rejects when it can't be reached. */
  ping(): Promise<void>;
  /** Stops taking deliveries, waits up to `deadlineMs` for running handlers, then aborts and hands back the rest. */
  stop(deadlineMs?: number): Promise<void>;
}
