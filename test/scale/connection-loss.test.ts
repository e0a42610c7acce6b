import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/index.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { runCli, startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestDatabase, postgresUnavailable, testPostgresUrl } from '../helpers/scaled-stack.js';

describe.skipIf(postgresUnavailable !== undefined)(
  `PostgreSQL connections dropped under a running deployment${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`,
  () => {
    const children: ChildProcess[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const clean of cleanups.reverse()) await clean();
    });

    it('serve and worker survive the server killing every connection (failover, restart) and go on exporting', async () => {
      const database = await createTestDatabase();
      cleanups.push(database.drop);
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-connloss-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      // Local storage in a shared folder: this test is about the database connections.
      const env = { DATAPORT_DATABASE_URL: database.url, DATAPORT_DATA_DIR: dataDir, DATAPORT_DEMO_RECORDS: '10', DATAPORT_LOG_LEVEL: 'warn' };
      const [server, worker] = await Promise.all([startServerProcess(env, 'serve'), startWorkerProcess(env)]);
      children.push(server.child, worker.child);
      const token = (await runCli(['token', '--user', 'u', '--resources', 'play.library,chrome.history', '--access', '30d'], env)).lastLine;
      const api = googleClient(server.url, token);
      const first = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.library'] } });
      expect((await waitForState(api, first.data.archiveJobId!)).state).toBe('COMPLETE');

      const admin = openDatabase({ databaseUrl: testPostgresUrl!, dataDir, poolSize: 1 });
      try {
        const { rows } = await sql<{ killed: number }>`
        select count(pg_terminate_backend(pid))::int as killed from pg_stat_activity
        where datname = ${database.name} and pid <> pg_backend_pid()`.execute(admin.db);
        expect(rows[0]!.killed).toBeGreaterThan(0);
      } finally {
        await admin.close();
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(server.child.exitCode).toBeNull();
      expect(worker.child.exitCode).toBeNull();

      // The next requests and the next export run on fresh connections.
      const second = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      expect((await waitForState(api, second.data.archiveJobId!)).state).toBe('COMPLETE');
      const codes = await Promise.all(
        [server.child, worker.child].map((c) => {
          const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
          c.kill('SIGTERM');
          return exited;
        }),
      );
      expect(codes).toEqual([0, 0]);
    });
  },
);
