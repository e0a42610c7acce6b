import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgBossQueue, type Delivery, type JobQueue } from '../../src/queue/index.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/scaled-stack.js';

const HOLDER = fileURLToPath(new URL('../helpers/pg-boss-holder.ts', import.meta.url));

/**
 * A worker killed mid-delivery never settles it. pg-boss 10 held such a delivery "active" until it expired (an
 * hour); pg-boss 12's heartbeat lets it go once the dead worker stops touching it, and delivers it again. This is
 * the queue alone: no job row, no lease, no takeover sweep.
 */
describe.skipIf(postgresUnavailable !== undefined)('a pg-boss delivery whose worker was killed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  it('is delivered again once its heartbeat stops, with the delivery count going up', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    // The surviving process supervises (fails deliveries whose heartbeat stopped), as worker processes do.
    const survivor: JobQueue = createPgBossQueue({ databaseUrl: database.url, supervise: true, pollMs: 50 });
    cleanups.push(() => survivor.stop(500));
    await survivor.dispatch('job-held');

    const holder: ChildProcess = spawn(process.execPath, ['--import', 'tsx', HOLDER], {
      env: { ...process.env, DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    });
    let output = '';
    holder.stdout!.on('data', (d) => (output += d));
    holder.stderr!.on('data', (d) => (output += d));
    const taken = Date.now() + 30_000;
    while (!output.includes('holding job-held')) {
      if (Date.now() > taken) throw new Error(`the holder never took the delivery:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(await survivor.hasPending('job-held')).toBe(false);

    const seen: Delivery[] = [];
    await survivor.start(
      async (d) => {
        seen.push(d);
        return { kind: 'done' };
      },
      { concurrency: 1 },
    );
    // A bound, not a measurement: a heartbeat (15 s) and a supervisor pass (15 s) lie between kill and redelivery.
    const redelivered = Date.now() + 120_000;
    while (seen.length === 0) {
      if (Date.now() > redelivered) throw new Error("the killed worker's delivery was never delivered again");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toMatchObject([{ jobId: 'job-held', deliveries: 2 }]);
  }, 180_000);
});
