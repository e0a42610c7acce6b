import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/process.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/scaled-stack.js';

describe.skipIf(postgresUnavailable !== undefined)(`PostgreSQL schema gate${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const clean of cleanups.reverse()) await clean();
  });

  it('serve and worker refuse a database whose schema is behind, naming `dataport migrate`; after it they start', async () => {
    const database = await createTestDatabase({ migrate: false });
    cleanups.push(database.drop);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-migrate-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATAPORT_DATABASE_URL: database.url, DATAPORT_DATA_DIR: dataDir, PORT: '0' };

    for (const command of ['serve', 'worker']) {
      const refused = await runCli([command], env);
      expect(refused.code, command).toBe(1);
      expect(refused.stderr).toMatch(/schema is behind \(pending: 0001-init.*\); run `dataport migrate` first/);
    }

    const migrated = await runCli(['migrate'], env);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/^applied: 0001-init/m);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/schema is up to date/);

    const server = await startServerProcess(env, 'serve');
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
