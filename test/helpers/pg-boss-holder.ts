// A worker process that takes one delivery and never settles it, for a test to kill mid-delivery (SIGKILL):
// `node --import tsx pg-boss-holder.ts` with DATABASE_URL set; prints `holding <jobId>` once it has one.
import { createPgBossQueue } from '../../src/queue/index.js';

const queue = createPgBossQueue({ databaseUrl: process.env.DATABASE_URL!, supervise: false, pollMs: 50 });
await queue.start(
  async (delivery) => {
    console.log(`holding ${delivery.jobId}`);
    return new Promise(() => undefined);
  },
  { concurrency: 1 },
);
