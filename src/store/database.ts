import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { dialectOf, type Dialect } from './dialect.js';
import { createChangeWatch, type ChangeWatch } from './change-watch.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** `postgres://...` for PostgreSQL; unset for the embedded SQLite file in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * SQLite: checkpoint the WAL on a thread of its own instead of inside this connection's commits (see
   * wal-checkpointer.ts). For the long-lived server; a CLI command's few writes don't need it.
   */
  checkpoints?: { onError: (message: string) => void };
  /** SQLite: `full` (default) syncs the WAL at every commit; `normal` only at checkpoints (see below). */
  synchronous?: 'full' | 'normal';
}

export interface OpenDatabase {
  db: Db;
  dialect: Dialect;
  /** Exact change detection for in-process caches: SQLite only (see change-watch.ts). */
  changes: ChangeWatch | undefined;
  close(): Promise<void>;
}

export function openDatabase(options: DatabaseOptions): OpenDatabase {
  let db: Db;
  let changes: ChangeWatch | undefined;
  let checkpointer: WalCheckpointer | undefined;
  let groupCommit: GroupCommit | undefined;
  if (options.databaseUrl) {
    // Required here, not imported at the top: an embedded server never uses pg (~15 MiB when loaded).
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg').default;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Our BIGINT columns hold epoch milliseconds and byte counts, far below 2^53: read them as numbers
      // (pg's default is a string) so rows look the same on both engines. Scoped to this pool only.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === (pg.types.builtins.INT8 as number)
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server drops (restart, failover, pg_terminate_backend) is reported as an
    // 'error' event, and an unhandled one would crash the process. The pool discards that client and the
    // next query connects afresh; a real outage still surfaces as errors of the queries themselves.
    pool.on('error', () => undefined);
    // The same for a connection that is checked out but between queries (a Kysely transaction or connection
    // awaiting the next statement): pg emits the server's "terminating connection" on the client itself, and
    // with no listener that crashed the worker (test/faults/crash-loop.test.ts). The pending or next query on it
    // fails instead, and the pool discards it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const fileName = path.join(options.dataDir, 'dataport.sqlite');
    keepPrivate(options.dataDir, fileName);
    const file = new SQLite(fileName);
    // WAL lets the CLI (`dataport token`) write while the server runs; busy_timeout waits for the lock
    // instead of failing with SQLITE_BUSY when both write at once.
    file.pragma('journal_mode = WAL');
    file.pragma('busy_timeout = 5000');
    file.pragma('foreign_keys = ON');
    if (options.checkpoints) checkpointer = startWalCheckpointer(file, { onError: options.checkpoints.onError });
    const statements = withStatementCache(file);
    // `full` by default: in WAL mode SQLite's NORMAL syncs only at checkpoints, so a power loss or OS crash can
    // undo commits already acknowledged (an initiate answered 200, a job marked COMPLETE). SQLite's FULL syncs
    // the WAL inside every COMMIT, on this thread; the group commit syncs it on the thread pool instead, and no
    // query's caller hears of a commit before it is on the disk (group-commit.ts; docs/operations.md says what
    // survives what). `normal` leaves the sync to checkpoints.
    if (options.synchronous === 'normal') file.pragma('synchronous = NORMAL');
    else groupCommit = createGroupCommit(file, statements, `${fileName}-wal`);
    db = new Kysely<Database>({ dialect: groupCommit?.dialect ?? new SqliteDialect({ database: statements }) });
    changes = createChangeWatch(file);
  }
  return {
    db,
    dialect: dialectOf(db),
    changes,
    async close() {
      await checkpointer?.close();
      await groupCommit?.close();
      await db.destroy();
    },
  };
}

/**
 * The database holds everyone's accounts and grants: the data folder is made 0700 and the database file 0600
 * before SQLite opens it. SQLite creates its -wal and -shm files with the main file's permissions, so those
 * follow; files left by an older version (0644) are tightened here too.
 */
function keepPrivate(dataDir: string, fileName: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(fileName, 'a', 0o600));
  for (const name of [fileName, `${fileName}-wal`, `${fileName}-shm`]) {
    try {
      chmodSync(name, 0o600);
    } catch (error) {
      // Gone, or not ours to change (another user's file we may only write to): nothing to tighten.
      if (!['ENOENT', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
}

/**
 * Kysely prepares a statement for every query, and preparing (parsing and planning the SQL) cost more than
 * running the query in profiles of the state-polling path. Statements are reused by SQL text; one still
 * iterating (a streamed query) is never handed out twice. Queries with `in (...)` lists make new texts, so
 * the cache is bounded.
 */
function withStatementCache(file: SQLite.Database, maxStatements = 512) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(text: string): SQLite.Statement {
      // Kysely opens SQLite transactions with a deferred `begin`: one that reads and then writes fails at
      // once with SQLITE_BUSY (no busy wait) if another connection committed in between (the CLI writing
      // while the server runs; seen as 500s when a second connection wrote during an initiate load).
      // Every Dataport transaction writes, so take the write lock up front; waiting for it honours busy_timeout.
      // SQLite rolls a transaction back by itself when a statement fails with SQLITE_FULL, SQLITE_IOERR,
      // SQLITE_BUSY or SQLITE_NOMEM (sqlite.org/lang_transaction.html, "Response To Errors Within A
      // Transaction"). Kysely's ROLLBACK then failed with "cannot rollback - no transaction is active", and
      // that error replaced the real one (a full disk was logged as this). With no transaction open, the
      // rollback is a no-op, so the statement's own error is what reaches the caller and the log.
      const sql = text === 'begin' ? 'begin immediate' : text === 'rollback' && !file.inTransaction ? 'select 1 where 0' : text;
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = file.prepare(sql);
      if (!cached && cache.size >= maxStatements) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** Applies every pending migration. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Kysely locks migrations on PostgreSQL (an advisory lock) but not on SQLite, where two processes starting
  // on a new data folder at once (`dataport start` and `dataport token`) both applied the first migration and
  // one failed with "table already exists". On SQLite the whole run is one immediate transaction instead: the
  // second process waits for the write lock (busy_timeout), then finds the migrations applied. Kysely's SQLite
  // driver has a single connection, so the migrator's statements run inside this transaction.
  const sqlite = dialectOf(db) === 'sqlite';
  if (sqlite) await sql`begin immediate`.execute(db);
  const migrator = new Migrator({ db, provider: migrationProvider });
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (thrown) {
    if (sqlite) await sql`rollback`.execute(db);
    throw thrown;
  }
  const { error, results } = outcome;
  if (sqlite) await sql.raw(error ? 'rollback' : 'commit').execute(db);
  if (error) throw new Error(`database migration failed: ${String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied; empty when the schema is current. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
