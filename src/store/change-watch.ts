import type SQLite from 'better-sqlite3';

/**
 * Exact change detection for in-process caches of database rows, on the embedded (SQLite) database.
 *
 * Two sources of change, both seen before a cached answer is used, neither by time:
 * - writes by this process's own connection: TEMP triggers (they live in this connection only, nothing
 *   is added to the database file) call a JavaScript function inside the writing statement, with the
 *   table and the key of every row inserted, updated or deleted, whatever code issued the SQL;
 * - commits by any other connection (the `dataport` CLI, another process, a second connection in this
 *   one): `PRAGMA data_version` changes when another connection has committed since it was last read
 *   (~2 µs: it starts a read transaction, as any query does). `sync()` reads it.
 *
 * PostgreSQL has no equivalent that is both cheap and synchronous (LISTEN/NOTIFY arrives later), so the
 * scaled deployment gets no watch and caches nothing. The one user is the API's poll cache (api/poll-cache.ts).
 */
export interface ChangeWatch {
  /**
   * Notices commits by other connections since the last call; listeners hear `(undefined, undefined)`.
   * With `marker` (an HTTP request object), a second call for the same marker is skipped: one read serves
   * every cached answer of one request, as if the request ran at its first check.
   */
  sync(marker?: object): void;
  /**
   * Calls `listener(table, key)` for every row this connection writes in one of `tables` (the old and the
   * new key of an update), and `listener(undefined, undefined)` when another connection has committed.
   */
  subscribe(tables: readonly WatchedTable[], listener: ChangeListener): void;
}

export type WatchedTable = 'access_tokens' | 'grants' | 'oidc_payloads' | 'jobs' | 'archive_parts';
type ChangeListener = (table: WatchedTable | undefined, key: string | undefined) => void;

/** The column a cache keys each table's rows by. */
const KEY_COLUMN: Record<WatchedTable, string> = {
  access_tokens: 'token_hash',
  grants: 'id',
  oidc_payloads: 'id',
  jobs: 'id',
  archive_parts: 'job_id',
};

const FUNCTION = 'dataport_row_changed';

export function createChangeWatch(file: SQLite.Database): ChangeWatch {
  const listeners = new Map<WatchedTable, ChangeListener[]>();
  const all = new Set<ChangeListener>();
  const installed = new Set<WatchedTable>();
  let dataVersion: SQLite.Statement | undefined;
  let lastVersion: unknown;
  let lastMarker: object | undefined;

  function install(table: WatchedTable) {
    if (installed.has(table)) return;
    if (installed.size === 0) {
      // Not deterministic and not direct-only: it is called from the triggers below, for its side effect.
      file.function(FUNCTION, { deterministic: false }, (t: unknown, key: unknown) => {
        for (const listener of listeners.get(t as WatchedTable) ?? []) listener(t as WatchedTable, key === null ? undefined : String(key));
        return null;
      });
    }
    const key = KEY_COLUMN[table];
    const fire = (row: 'NEW' | 'OLD') => `select ${FUNCTION}('${table}', ${row}.${key});`;
    file.exec(
      `create temp trigger if not exists ${FUNCTION}_${table}_insert after insert on main.${table} begin ${fire('NEW')} end;` +
        `create temp trigger if not exists ${FUNCTION}_${table}_update after update on main.${table} begin ${fire('OLD')} ${fire('NEW')} end;` +
        `create temp trigger if not exists ${FUNCTION}_${table}_delete after delete on main.${table} begin ${fire('OLD')} end;`,
    );
    installed.add(table);
  }

  return {
    sync(marker) {
      if (!dataVersion) return;
      if (marker !== undefined && marker === lastMarker) return;
      lastMarker = marker;
      const version = dataVersion.get();
      if (version === lastVersion) return;
      lastVersion = version;
      for (const listener of all) listener(undefined, undefined);
    },
    subscribe(tables, listener) {
      if (!dataVersion) {
        dataVersion = file.prepare('pragma data_version').pluck();
        lastVersion = dataVersion.get();
      }
      for (const table of tables) {
        install(table);
        listeners.set(table, [...(listeners.get(table) ?? []), listener]);
      }
      all.add(listener);
    },
  };
}
