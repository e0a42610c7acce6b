import { closeSync, fdatasync, openSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type DatabaseConnection, type Dialect, type Driver, type TransactionSettings } from 'kysely';

/**
 * Group commit for the embedded database: every commit is on the disk before anyone is told of it, without
 * an fsync per commit on the thread that serves the API.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside each COMMIT. better-sqlite3 is synchronous, so the
 * API's event loop stood still for every fsync (0.3-5 ms each on the VM this was measured on, tails of 15-120 ms),
 * one per commit, a few commits per export: ~40-50 initiates/s and a queue behind them (bench/README.md,
 * "Round 6"). Here the connection runs with `synchronous = NORMAL` (a commit only appends to the WAL; SQLite
 * still syncs the WAL's header when it starts over and both files at each checkpoint) and this module
 * fdatasyncs the WAL itself, on libuv's thread pool:
 *
 * - every query (reads too) ends, from its caller's point of view, only once everything committed before it
 *   ended is on the disk: the driver below waits for that after it has handed the connection on, so the next
 *   transaction runs (and commits) while this one's sync is in flight. An answer, a poll that reads a new
 *   state or a webhook never reveals a commit that a power loss could take back;
 * - at most two syncs at a time; the commits made while they run are covered together by the next one. However
 *   many initiates commit during a sync, they cost one more fsync, not one each. Each still runs in a
 *   transaction of its own, so one request's refusal (a limit, a conflict) leaves the others' exactly as they
 *   were.
 *
 * Another connection (the `dataport` CLI, a second process) may read a commit of this one in the moment
 * between the commit and its sync; nothing this process answers depends on that.
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

/**
 * Syncs of the WAL in flight at once. A commit made while one sync runs is not covered by it; with a second
 * one started at once it waits for one sync, not for the rest of the running one and then its own (measured:
 * syncs took 0.7 ms at the median and 15-58 ms in the tail under 200 initiates/s). Two, not more: libuv's
 * pool has four threads, and the archives' fsyncs and zlib use them too.
 */
const MAX_SYNCS_IN_FLIGHT = 2;

/**
 * fdatasync of the WAL on the thread pool. A sync covers every commit written before it started (an fdatasync
 * writes out everything written to the file before the call), so the commits written while syncs run share
 * the next one.
 */
function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;
  /** Commits written, and how many of them are known to be on the disk. */
  let written = 0;
  let synced = 0;
  let failure: Error | undefined;
  const running: { promise: Promise<void>; upTo: number }[] = [];
  /** Waiters for a free slot, when every slot runs a sync that started before their commit. */
  let slot: Promise<void> | undefined;

  function fail(error: unknown): Error {
    failure ??= Object.assign(new Error(`the database's log could not be synced to the disk: ${(error as Error).message}`, { cause: error }), {
      code: (error as NodeJS.ErrnoException).code,
    });
    return failure;
  }

  function run(): Promise<void> {
    const upTo = written;
    const promise = new Promise<void>((resolve, reject) => {
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
    const sync = { promise, upTo };
    running.push(sync);
    const done = () => void running.splice(running.indexOf(sync), 1);
    promise.then(done, done);
    return promise;
  }

  function durable(): Promise<void> | undefined {
    if (failure) return Promise.reject(failure);
    if (synced >= written) return undefined;
    const covering = running.find((s) => s.upTo >= written);
    if (covering) return covering.promise;
    if (running.length < MAX_SYNCS_IN_FLIGHT) return run();
    slot ??= Promise.race(running.map((s) => s.promise.then(noop, noop))).then(() => {
      slot = undefined;
      return durable();
    });
    return slot;
  }

  return {
    committed() {
      written++;
    },
    durable,
    async close() {
      while (running.length > 0 || slot) await Promise.allSettled([...running.map((s) => s.promise), slot]);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

const noop = () => undefined;
