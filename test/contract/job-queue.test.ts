import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmbeddedQueue, createPgBossQueue } from '../../src/queue/index.js';
import { migrateToLatest, openDatabase } from '../../src/store/index.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/scaled-stack.js';
import { runJobQueueContract } from './job-queue.contract.js';

runJobQueueContract({
  name: 'embedded (SQLite table)',
  async create() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-queue-'));
    const database = openDatabase({ dataDir });
    await migrateToLatest(database.db);
    return {
      newQueue: () => createEmbeddedQueue({ db: database.db, now: Date.now, lockMs: 2000, pollMs: 50 }),
      async close() {
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
});

runJobQueueContract({
  name: 'pg-boss (PostgreSQL)',
  skip: postgresUnavailable,
  async create() {
    const database = await createTestDatabase();
    return {
      newQueue: () => createPgBossQueue({ databaseUrl: database.url, supervise: true, pollMs: 50 }),
      close: () => database.drop(),
    };
  },
});
