import PgBoss10 from 'pg-boss-10';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgBossQueue, type Delivery } from '../../src/queue/index.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/scaled-stack.js';

/**
 * A database that Dataport used with pg-boss 10 holds pg-boss 10's schema (`pgboss`, schema version 24), which
 * pg-boss 12 cannot upgrade ("the oldest supported starting version is 25"). Dataport now keeps its queue in a
 * schema of its own and moves the deliveries still waiting in the old one over when it starts.
 */
describe.skipIf(postgresUnavailable !== undefined)('a database whose queue pg-boss 10 made', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  it('starts, and its waiting deliveries are delivered once, ahead of newer ones where they were taken over', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    // What the previous Dataport left: the export queue with a delivery a worker is still running, and three
    // waiting: a takeover (priority 10), a retry due a moment later, and a plain one.
    const old = new PgBoss10({ connectionString: database.url, max: 1, supervise: false, schedule: false, migrate: true });
    await old.start();
    await old.createQueue('dataport-export', { name: 'dataport-export', policy: 'standard' });
    await old.send('dataport-export', { jobId: 'job-running', deliveries: 0 });
    const running = await old.fetch<{ jobId: string }>('dataport-export');
    expect(running?.map((j) => j.data.jobId)).toEqual(['job-running']);
    await old.send('dataport-export', { jobId: 'job-waiting', deliveries: 0 });
    await old.send('dataport-export', { jobId: 'job-taken-over', deliveries: 0 }, { priority: 10 });
    await old.send('dataport-export', { jobId: 'job-retrying', deliveries: 2 }, { startAfter: 1 });
    await old.stop({ graceful: false, close: true, wait: true });

    // Two processes start at once on the upgraded code; each delivery is moved over once.
    const moved: number[] = [];
    const queues = [0, 1].map(() => createPgBossQueue({ databaseUrl: database.url, supervise: true, pollMs: 50, onMovedFromPgBoss10: (n) => moved.push(n) }));
    cleanups.push(async () => {
      for (const q of queues) await q.stop(500);
    });
    await Promise.all(queues.map((q) => q.ready()));
    expect(moved).toEqual([3]);
    for (const jobId of ['job-waiting', 'job-taken-over', 'job-retrying', 'job-running']) {
      expect(await queues[0]!.hasPending(jobId)).toBe(jobId !== 'job-running');
    }
    await queues[0]!.dispatch('job-new');

    const seen: Delivery[] = [];
    await queues[0]!.start(
      async (d) => {
        seen.push(d);
        return { kind: 'done' };
      },
      { concurrency: 1 },
    );
    const deadline = Date.now() + 30_000;
    while (seen.length < 4) {
      if (Date.now() > deadline) throw new Error(`only these were delivered: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    // The takeover first (its priority kept), the retry after its wait, each once; the running one stays with its worker.
    expect(seen[0]).toMatchObject({ jobId: 'job-taken-over', deliveries: 1 });
    expect(seen.map((d) => d.jobId).sort()).toEqual(['job-new', 'job-retrying', 'job-taken-over', 'job-waiting']);
    expect(seen.find((d) => d.jobId === 'job-retrying')?.deliveries).toBe(3);
  }, 60_000);
});
