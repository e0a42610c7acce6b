import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Which areas each area may import (DESIGN: api -> jobs -> queue -> export -> sources / store). `export`
 * names `queue` for the delivery types it is handed; `queue` names `jobs` for the dispatcher interface it
 * implements; `auth` names `jobs` for the Caller it produces. `metrics` and `tracing` are beside the flow:
 * any area may report to them, and they import no area.
 * Every folder under src/ is an area listed here or an entry point, so a new folder is placed in the flow
 * before anything can import it.
 */
const ALLOWED: Record<string, readonly string[]> = {
  api: ['auth', 'catalog', 'jobs', 'metrics', 'store', 'tracing'],
  // Pages, including the operator's console: its job actions go through the job rules, its emulator controls
  // through the emulator (as the CLI's do).
  web: ['auth', 'catalog', 'emulator', 'jobs', 'metrics', 'store'],
  auth: ['catalog', 'jobs', 'store'],
  jobs: ['catalog', 'store', 'tracing'],
  queue: ['jobs', 'store', 'tracing'],
  export: ['catalog', 'metrics', 'queue', 'sources', 'store', 'tracing'],
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

/**
 * Imports that break the flow and are waiting to be moved, each with its reason. An entry here that no longer
 * happens fails too.
 */
const TOLERATED: Record<string, string> = {};

/** The command line starts the program: it may import any area, and the composition root. */
const ENTRY_POINTS = ['cli'];
/** `src/app.ts` wires every area together; an area importing it would import every other area with it. */
const COMPOSITION_ROOT = 'app.ts';

/**
 * Dynamic imports whose target is computed, so no rule can check it: each one, and why it may exist. An entry
 * here for a file that no longer has one fails too, so the list stays as short as the code allows.
 */
const COMPUTED_IMPORTS_ALLOWED: Record<string, string> = {
  'sources/import-module.ts': 'loads the plugin or shard-producer module a catalog names: configuration, outside every area',
};

interface ModuleImport {
  /** The specifier, or undefined when it is computed at run time. */
  specifier: string | undefined;
  dynamic: boolean;
  line: number;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Every import of a file: static (`import`, `export ... from`, `import('x').T` in types) and `import()` calls. */
function importsOf(file: string): ModuleImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: ModuleImport[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push({ specifier: literal(node.moduleSpecifier), dynamic: false, line: line(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push({ specifier: literal(node.argument.literal), dynamic: false, line: line(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      found.push({ specifier: literal(node.arguments[0]), dynamic: true, line: line(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The area of a path relative to src/: its first folder, or the file itself for a module at the top. */
const areaOf = (relative: string) => relative.split(path.sep)[0]!;

/** What is wrong with every import under src/, one line each. */
function violations(): string[] {
  const found: string[] = [];
  const computedImportsSeen = new Set<string>();
  const toleratedSeen = new Set<string>();
  for (const file of filesOf(SRC)) {
    const from = path.relative(SRC, file);
    const area = areaOf(from);
    const isFolder = from.includes(path.sep);
    if (isFolder && !(area in ALLOWED) && !ENTRY_POINTS.includes(area)) {
      found.push(`${from}: src/${area}/ is in no layer (add it to ALLOWED or ENTRY_POINTS)`);
      continue;
    }
    for (const { specifier, dynamic, line } of importsOf(file)) {
      const where = `${from}:${line}`;
      if (specifier === undefined) {
        if (from in COMPUTED_IMPORTS_ALLOWED) computedImportsSeen.add(from);
        else found.push(`${where}: import() of a computed specifier (allow it in COMPUTED_IMPORTS_ALLOWED, with the reason)`);
        continue;
      }
      if (!specifier.startsWith('.')) continue; // a package
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      if (target.startsWith('..')) continue;
      const targetArea = areaOf(target);
      const how = dynamic ? 'import()s' : 'imports';
      if (targetArea === area) continue;
      if (target.replace(/\.js$/, '.ts') === COMPOSITION_ROOT) {
        if (!ENTRY_POINTS.includes(area)) found.push(`${where} ${how} ${target}: only ${ENTRY_POINTS.join(', ')} may import the composition root`);
        continue;
      }
      if (!(area in ALLOWED)) continue; // an entry point, or a module at the top (config.ts, logger.ts)
      const targetIsFolder = target.includes(path.sep);
      if (!targetIsFolder || ALLOWED[area]!.includes(targetArea)) continue;
      const pair = `${from} -> ${target}`.split(path.sep).join('/');
      if (pair in TOLERATED) toleratedSeen.add(pair);
      else found.push(`${where} ${how} ${target}`);
    }
  }
  for (const pair of Object.keys(TOLERATED)) {
    if (!toleratedSeen.has(pair)) found.push(`${pair}: tolerated, but no longer imported (remove it from TOLERATED)`);
  }
  for (const allowed of Object.keys(COMPUTED_IMPORTS_ALLOWED)) {
    if (!computedImportsSeen.has(allowed)) found.push(`${allowed}: allowed a computed import() it no longer has`);
  }
  return found;
}

describe('architecture', () => {
  it('imports between areas follow the one-way flow; only the entry points import app.ts; computed import()s are listed', () => {
    expect(violations()).toEqual([]);
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
  'store/group-commit.ts': 'the driver around the SQLite connection: its synchronous pragma, and the statements it prepares for Kysely (to see writes)',
  'queue/pg-boss.ts': "pg-boss's own table (pgboss.job) and the queue-creation lock, beside the one module that knows pg-boss",
  'sources/sql/': "the sql source: the operator's queries, against the operator's database",
};

/** Calls that run SQL: kysely's builders and raw `sql`, and the drivers' own statement methods. */
const RUNS_SQL =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom|executeQuery|executeSql|prepare|pragma|query)\(|\bsql(\.raw)?`|\bsql\.raw\(/;

describe('SQL', () => {
  it('statements are written in store/sql and store/migrations only, or in the few places listed with their reason', () => {
    const outside: string[] = [];
    for (const file of filesOf(SRC)) {
      const name = path.relative(SRC, file).split(path.sep).join('/');
      if (name.startsWith('store/sql/') || name.startsWith('store/migrations/')) continue;
      if (Object.keys(SQL_OUTSIDE_STORE_SQL).some((allowed) => name.startsWith(allowed))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (RUNS_SQL.test(line)) outside.push(`${name}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(outside).toEqual([]);
  });
});
