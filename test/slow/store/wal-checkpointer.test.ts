import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  it('copies committed pages into the database file while this connection only appends to the WAL', async () => {
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

  // A child process starts a checkpointer over a database whose WAL holds 2,000 rows, waits (with a deadline)
  // until the thread has copied them into the database file, and then either closes it or simply stops.
  // Both must end the process. Run as an ES module file (how the server runs) and as `--input-type=module -e`
  // (whose flag the thread used to inherit, turning its CommonJS source into a module that died at once).
  const childScript = (file: string, close: boolean) =>
    [
      `import { statSync } from 'node:fs';`,
      `import { startWalCheckpointer } from ${JSON.stringify(new URL('../../../src/store/wal-checkpointer.ts', import.meta.url).href)};`,
      `import SQLite from ${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))};`,
      `const file = ${JSON.stringify(file)};`,
      'const db = new SQLite(file);',
      "db.pragma('journal_mode = WAL');",
      "db.pragma('wal_autocheckpoint = 0');",
      "db.exec('create table t (id integer primary key, text text)');",
      "const insert = db.prepare('insert into t (text) values (?)');",
      "db.transaction(() => { for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500)); })();",
      'const before = statSync(file).size;',
      "const c = startWalCheckpointer(db, { intervalMs: 10, onError: (m) => console.error('checkpoint error: ' + m) });",
      'const deadline = Date.now() + 15000;',
      'while (statSync(file).size < before + 1000000) {',
      '  if (Date.now() > deadline) { console.log(JSON.stringify({ checkpointed: false })); process.exit(3); }',
      '  await new Promise((r) => setTimeout(r, 20));',
      '}',
      close ? 'await c.close();' : '',
      'console.log(JSON.stringify({ checkpointed: true, before, after: statSync(file).size }));',
    ].join('\n');

  async function runChild(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A process kept alive by the thread would never exit: it is killed after a generous deadline instead.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    return { code, signal, stdout, stderr };
  }

  for (const mode of ['module file', 'eval with --input-type=module'] as const) {
    for (const close of [false, true]) {
      it(`${close ? 'closed' : 'left running'} (${mode}): checkpoints, and the process exits`, async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'dataport-wal-'));
        folders.push(dir);
        const script = childScript(path.join(dir, 'db.sqlite'), close);
        let args: string[];
        if (mode === 'module file') {
          writeFileSync(path.join(dir, 'child.mjs'), script);
          args = ['--import', 'tsx', path.join(dir, 'child.mjs')];
        } else {
          args = ['--import', 'tsx', '--input-type=module', '-e', script];
        }
        const result = await runChild(args);
        expect({ signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({ signal: null, code: 0, stderr: '' });
        const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { checkpointed: boolean; before: number; after: number };
        expect(report.checkpointed).toBe(true);
        expect(report.after).toBeGreaterThan(report.before + 1_000_000);
      });
    }
  }
});
