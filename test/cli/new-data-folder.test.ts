import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('a new data folder', () => {
  it('takes several dataport commands started at the same moment: the schema is made once, every command succeeds', async () => {
    // Two folders, six commands each: without a lock, two of them applying the first migration together made
    // one fail ("table ... already exists") about once in six rounds of four.
    for (let round = 0; round < 2; round++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-new-folder-'));
      folders.push(dataDir);
      const env = { DATAPORT_DATA_DIR: dataDir, DATAPORT_LOG_LEVEL: 'warn' };
      const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => runCli(['token', '--user', `user-${i}`, '--resources', 'myactivity.search'], env)));
      for (const run of runs) {
        expect(run.stderr).not.toContain('migration failed');
        expect(run.code).toBe(0);
      }
      expect(new Set(runs.map((r) => r.lastLine)).size).toBe(6);
    }
  }, 120_000);
});
