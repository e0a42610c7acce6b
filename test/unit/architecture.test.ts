import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Which areas each area may import (DESIGN: api -> jobs -> queue -> export -> sources / store). `export`
 * names `queue` for the delivery types it is handed; `auth` names `jobs` for the Caller it produces.
 * The composition root (app.ts) and the CLI may import anything.
 */
const ALLOWED: Record<string, readonly string[]> = {
  api: ['auth', 'catalog', 'jobs', 'metrics', 'store', 'tracing'],
  // Pages, including the operator's console: its job actions go through the job rules, its emulator controls
  // through the emulator (as the CLI's do).
  web: ['auth', 'catalog', 'emulator', 'jobs', 'metrics', 'store'],
  auth: ['catalog', 'jobs', 'store'],
  jobs: ['catalog', 'store', 'tracing'],
  queue: ['jobs', 'store', 'tracing'],
  export: ['catalog', 'jobs', 'metrics', 'queue', 'sources', 'store', 'tracing'],
  emulator: ['sources', 'store'],
  sources: ['catalog'],
  catalog: [],
  store: [],
  client: [],
  webhooks: ['store'],
  metrics: [],
  // Spans through @opentelemetry/api, which any area may make; it knows none of them.
  tracing: [],
};

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('architecture', () => {
  it('imports between areas follow the one-way flow', () => {
    const violations: string[] = [];
    for (const [area, allowed] of Object.entries(ALLOWED)) {
      for (const file of filesOf(path.join(SRC, area))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
          const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]!));
          const targetArea = target.split(path.sep)[0]!;
          if (target.startsWith('..') || targetArea === area || !(targetArea in ALLOWED)) continue;
          if (!allowed.includes(targetArea)) violations.push(`${path.relative(SRC, file)} imports ${target}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

/**
 * Where SQL may be written (docs/architecture.md, "every SQL statement"): statements on Dataport's tables
 * only in store/sql/ (typed kysely) and the schema in store/migrations/. The others below, each for its reason.
 */
const SQL_OUTSIDE_STORE_SQL: Record<string, string> = {
  'store/database.ts': 'opening a connection: SQLite pragmas, the statement cache, the migration lock',
  'store/change-watch.ts': 'per-connection temp triggers and pragma data_version on the SQLite handle',
  'store/wal-checkpointer.ts': 'WAL checkpoint pragmas on a connection of its own',
  'queue/pg-boss.ts': "pg-boss's own table (pgboss.job) and the queue-creation lock, beside the one module that knows pg-boss",
  'sources/sql/': "the sql source: the operator's queries, against the operator's database",
};

/** Calls that run SQL: kysely's builders and raw `sql`, and the drivers' own statement methods. */
const RUNS_SQL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom|executeQuery|executeSql|prepare|pragma|query)\(|\bsql(\.raw)?`|\bsql\.raw\(/;

describe('SQL', () => {
  it('statements are written in store/sql and store/migrations only, or in the few places listed with their reason', () => {
    const outside: string[] = [];
    for (const file of filesOf(SRC)) {
      const name = path.relative(SRC, file).split(path.sep).join('/');
      if (name.startsWith('store/sql/') || name.startsWith('store/migrations/')) continue;
      if (Object.keys(SQL_OUTSIDE_STORE_SQL).some((allowed) => name.startsWith(allowed))) continue;
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (RUNS_SQL.test(line)) outside.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(outside).toEqual([]);
  });
});
