import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../../../src/store/wal-checkpointer.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function newDatabase() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataport-wal-'));
  folders.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  // This connection doesn't checkpoint: here the WAL stays far below the backstop the checkpointer sets, so
  // whatever reaches the database file, the thread copied.
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, text text)');
  return { file, db };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WAL checkpoints on a thread', () => {
  it("copies committed pages into the database file while this connection only appends to the WAL", async () => {
    const { file, db } = newDatabase();
    const errors: string[] = [];
    const insert = db.prepare('insert into t (text) values (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
    })();
    const before = statSync(file).size;
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
    const checkpointer = startWalCheckpointer(db, { intervalMs: 20, onError: (m) => errors.push(m) });
    try {
      await until(() => statSync(file).size > before + 1_000_000);
      // Writing goes on meanwhile, and a reader sees every row.
      insert.run('after');
      expect(db.prepare('select count(*) from t').pluck().get()).toBe(2001);
    } finally {
      await checkpointer.close();
      db.close();
    }
    expect(errors).toEqual([]);
  });

  it('does not keep the process alive, and closing it ends its thread', () => {
    const { file, db } = newDatabase();
    db.close();
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const module = new URL('../../../src/store/wal-checkpointer.ts', import.meta.url).href;
    const script = (close: boolean) => [
      `import { startWalCheckpointer } from ${JSON.stringify(module)};`,
      `import SQLite from ${JSON.stringify(driver)};`,
      `const c = startWalCheckpointer(new SQLite(${JSON.stringify(file)}), { intervalMs: 10, onError: (m) => console.error(m) });`,
      'await new Promise((r) => setTimeout(r, 100));',
      close ? 'await c.close();' : '',
      "console.log('done');",
    ].join('\n');
    for (const close of [false, true]) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(close)], { encoding: 'utf8', timeout: 30_000 });
      expect(out.trim()).toBe('done');
    }
  });
});
