import type { Delivery, DeliveryOutcome } from '../queue/index.js';

/** A worker's runner of archive jobs (run-job.ts): what the queue delivers, and a cancel seen in this process. */
export interface ExportRunner {
  /** Runs one delivered archive job to its end (published, failed, cancelled) or to a retry later. */
  handle(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Stops a run in this process at once (the jobs service calls this on cancel). */
  cancelLocal(jobId: string): void;
}
