import { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { createPgBossQueue } from '../../src/queue/index.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/scaled-stack.js';

/**
 * Operators start `dataport serve` and several `dataport worker` processes at once, the first time on an empty
 * database. Each creates the export queue; in CI a worker once died of PostgreSQL's "deadlock detected"
 * (pg-boss 10's createQueue, run concurrently on a database without the queue; pg-boss 12 serializes it itself).
 * Each queue below has a pool of its own, as a process has.
 */
describe.skipIf(postgresUnavailable !== undefined)('pg-boss queues started at the same instant on a fresh database', () => {
  it('all start; none dies of a deadlock', async () => {
    for (let round = 0; round < 5; round++) {
      const database = await createTestDatabase();
      // pg-boss's own schema first (its install is serialized already), so that the queues' starts are quick
      // and their createQueue calls overlap as they do when processes start together.
      const installer = new PgBoss({ connectionString: database.url, schema: 'dataport_queue', max: 1, supervise: false, schedule: false });
      await installer.start();
      await installer.stop({ graceful: false, close: true });
      const queues = Array.from({ length: 8 }, () => createPgBossQueue({ databaseUrl: database.url, supervise: false, poolSize: 2 }));
      try {
        const results = await Promise.allSettled(queues.map((q) => q.ready()));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
      } finally {
        await Promise.all(queues.map((q) => q.stop()));
        await database.drop();
      }
    }
  });
});
