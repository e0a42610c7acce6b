import { closeSync, fdatasync, openSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type DatabaseConnection, type Dialect, type Driver, type TransactionSettings } from 'kysely';

/**
 * Group commit for the embedded database: every commit is on the disk before anyone is told of it, without
 * an fsync per commit on the thread that serves the API.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside each COMMIT. better-sqlite3 is synchronous, so the
 * API's event loop stood still for every fsync (2-5 ms each on the VM this was measured on, tails of 20-60 ms),
 * one per commit, a few commits per export: ~40-50 initiates/s and a queue behind them (bench/README.md,
 * "Round 6"). Here the connection runs with `synchronous = NORMAL` (a commit only appends to the WAL; SQLite
 * still syncs the WAL's header when it starts over and both files at each checkpoint) and this module
 * fdatasyncs the WAL itself, on libuv's thread pool:
 *
 * - every query (reads too) ends, from its caller's point of view, only once everything committed before it
 *   ended is on the disk: the driver below waits for that after it has handed the connection on, so the next
 *   transaction runs (and commits) while this one's sync is in flight. An answer, a poll that reads a new
 *   state or a webhook never reveals a commit that a power loss could take back;
 * - one sync at a time; the commits made while it runs are covered together by the next one. However many
 *   initiates arrive during a sync, they cost one more fsync, not one each. Each still runs in a transaction
 *   of its own, so one request's refusal (a limit, a conflict) leaves the others' exactly as they were.
 *
 * The WAL is a log: a sync of the file covers every frame written before it started, so the frames of a
 * commit followed by a successful fdatasync survive a power loss exactly as with FULL. A checkpoint can't
 * outrun this (SQLite syncs the WAL before it copies frames into the database file), and the WAL only starts
 * over once everything in it is in the database file and synced.
 *
 * A failed sync fails every request waiting on it (EIO or ENOSPC: 503 UNAVAILABLE through isStoreUnavailable)
 * and every later one: after a failed fsync Linux may report the next one as successful although the pages it
 * failed to write are gone, so nothing is acknowledged any more until the process restarts and SQLite
 * recovers from what the disk holds (PostgreSQL stops for the same reason). /readyz fails meanwhile.
 */
export interface GroupCommit {
  dialect: Dialect;
  /** Waits for the syncs in flight, then closes the WAL's descriptor (before the connection closes). */
  close(): Promise<void>;
}

/** The part of better-sqlite3's database Kysely's driver uses (database.ts passes its statement cache). */
interface SqliteDatabase {
  close(): void;
  prepare(sql: string): SQLite.Statement;
}

export function createGroupCommit(file: SQLite.Database, database: SqliteDatabase, walPath: string): GroupCommit {
  file.pragma('synchronous = NORMAL');
  const sync = createWalSync(walPath);
  // A statement that may write (or a COMMIT: SQLite counts transaction control as read-only) was run since the
  // connection was last handed back. Set when Kysely prepares it, just before running it; a statement that
  // then fails costs at most one sync that was not needed.
  let wrote = false;
  const watched: SqliteDatabase = {
    close: () => database.close(),
    prepare(sql: string) {
      const statement = database.prepare(sql);
      if (!statement.readonly || sql === 'commit') wrote = true;
      return statement;
    },
  };
  const dialect = new SqliteDialect({ database: watched });
  return {
    dialect: {
      createDriver: () =>
        new GroupCommitDriver(dialect.createDriver(), () => {
          // Inside a transaction nothing is committed yet: its COMMIT (a later hand-back) counts.
          if (wrote && !file.inTransaction) {
            wrote = false;
            sync.committed();
          }
          return sync.durable();
        }),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createAdapter: () => new SharedConnectionAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
    },
    close: () => sync.close(),
  };
}

/**
 * Kysely serializes the use of SQLite's one connection itself when the adapter says it has only one, but it
 * hands the connection on only after the driver's releaseConnection returns, which here waits for the disk.
 * The driver below keeps the turn itself and hands it on before it waits.
 */
class SharedConnectionAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

class GroupCommitDriver implements Driver {
  #turn: Promise<void> = Promise.resolve();
  #handBack: (() => void) | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly settle: () => Promise<void> | undefined,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#turn;
    let handBack!: () => void;
    this.#turn = new Promise((resolve) => (handBack = resolve));
    await previous;
    this.#handBack = handBack;
    return this.inner.acquireConnection();
  }

  async releaseConnection(): Promise<void> {
    const durable = this.settle();
    const handBack = this.#handBack!;
    this.#handBack = undefined;
    handBack();
    await durable;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  savepoint(...args: Parameters<NonNullable<Driver['savepoint']>>): Promise<void> {
    return this.inner.savepoint!(...args);
  }
  rollbackToSavepoint(...args: Parameters<NonNullable<Driver['rollbackToSavepoint']>>): Promise<void> {
    return this.inner.rollbackToSavepoint!(...args);
  }
  releaseSavepoint(...args: Parameters<NonNullable<Driver['releaseSavepoint']>>): Promise<void> {
    return this.inner.releaseSavepoint!(...args);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

interface WalSync {
  /** A commit has just been written to the WAL. */
  committed(): void;
  /** Settles once every commit so far is on the disk; undefined when they already are. */
  durable(): Promise<void> | undefined;
  close(): Promise<void>;
}

/** fdatasync of the WAL on the thread pool, one at a time, each covering every commit before it started. */
function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;
  /** Commits written, and how many of them are known to be on the disk. */
  let written = 0;
  let synced = 0;
  let failure: Error | undefined;
  let running: { promise: Promise<void>; upTo: number } | undefined;
  /** The sync after the one running, for the commits written while it runs. */
  let next: Promise<void> | undefined;

  function start(upTo: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      try {
        // Opened on first use: the WAL exists once something was written. SQLite removes it only when the
        // last connection closes, and this one stays open, so the descriptor stays the WAL's.
        fd ??= openSync(walPath, 'r');
      } catch (error) {
        reject(fail(error));
        return;
      }
      fdatasync(fd, (error) => {
        if (error) reject(fail(error));
        else {
          synced = Math.max(synced, upTo);
          resolve();
        }
      });
    });
  }

  function fail(error: unknown): Error {
    failure ??= Object.assign(new Error(`the database's log could not be synced to the disk: ${(error as Error).message}`, { cause: error }), {
      code: (error as NodeJS.ErrnoException).code,
    });
    return failure;
  }

  function run(): Promise<void> {
    const current = { promise: start(written), upTo: written };
    running = current;
    const done = () => {
      if (running === current) running = undefined;
    };
    current.promise.then(done, done);
    return current.promise;
  }

  return {
    committed() {
      written++;
    },
    durable() {
      if (failure) return Promise.reject(failure);
      if (synced >= written) return undefined;
      if (!running) return run();
      if (running.upTo >= written) return running.promise;
      // The sync in flight started before the last commit: wait for the one after it, which every commit
      // written meanwhile shares.
      next ??= running.promise
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          next = undefined;
          return failure ? Promise.reject(failure) : run();
        });
      return next;
    },
    async close() {
      await Promise.allSettled([running?.promise, next]);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
