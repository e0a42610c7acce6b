import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { SqlCursor, SqlDriver, SqlDriverOptions } from './driver.js';
import { rowJsonWriter } from './row-json.js';
import { readInThread } from './sqlite-reader.js';
import { convert, jsonTextOf, kindOf, type SqliteColumn } from './sqlite-values.js';
import { toSqliteDatetime } from './values.js';

/** How long a read waits for a writer's lock before SQLITE_BUSY (then retried as transient). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite through better-sqlite3: each cursor opens its own read-only connection (a statement being iterated
 * keeps its connection busy) and iterates rows one at a time, giving the event loop a turn every
 * `fetchRows` rows so the API and lease heartbeats are not starved. Rows are read here as objects, or, for a
 * file written as JSON, by a thread of its own and written here as JSON text (`jsonBatches`, sqlite-reader.ts).
 */
export function createSqliteDriver(options: SqlDriverOptions): SqlDriver {
  const file = path.resolve(options.baseDir, options.url.replace(/^sqlite:(\/\/)?/, ''));
  return {
    dialect: 'sqlite',
    bindTime: toSqliteDatetime,
    async openCursor(query): Promise<SqlCursor> {
      const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      let open = true;
      const close = async () => {
        if (!open) return;
        open = false;
        db.close();
      };
      let statement: Database.Statement;
      let columns: SqliteColumn[];
      try {
        statement = db.prepare(query.text);
        if (!statement.reader) throw new Error('the query returns no rows (a catalog query must be a SELECT)');
        statement.safeIntegers(true);
        columns = statement.columns().map((c) => ({ name: c.name, kind: query.jsonColumns.has(c.name) ? 'json' : kindOf(c.type) }));
        // Bound here, so a wrong parameter fails the opening (and its retries); the rows are read here or in
        // the reader thread, whichever the caller iterates, so reading starts at the first pull.
        statement.bind(...query.values);
      } catch (error) {
        await close();
        throw error;
      }
      // `fetchRows` rows a batch (no promise per row), and a turn of the event loop between batches: the
      // query runs on this thread, and requests must not wait for the whole result.
      async function* objectBatches(): AsyncGenerator<Record<string, unknown>[]> {
        const iterator = statement.iterate() as IterableIterator<Record<string, unknown>>;
        try {
          for (;;) {
            const batch: Record<string, unknown>[] = [];
            while (batch.length < options.fetchRows) {
              const next = iterator.next();
              if (next.done) break;
              const row = next.value;
              for (const { name, kind } of columns) row[name] = convert(name, kind, row[name]);
              batch.push(row);
            }
            if (batch.length > 0) yield batch;
            if (batch.length < options.fetchRows) break;
            await yieldToEventLoop();
          }
        } finally {
          iterator.return?.();
          await close();
        }
      }
      const batched = objectBatches();
      async function* rows(): AsyncGenerator<Record<string, unknown>> {
        for await (const batch of batched) yield* batch;
      }
      // For a JSON file (when the column names allow it, row-json.ts), SQLite is stepped in a thread of its
      // own (sqlite-reader.ts) and each row's JSON text is written here from its values, no row object made.
      const toJson = rowJsonWriter(columns.map((c) => c.name));
      const reader = toJson
        ? readInThread({ file, text: query.text, values: query.values, fetchRows: options.fetchRows, busyTimeoutMs: BUSY_TIMEOUT_MS })
        : undefined;
      async function* jsonBatches(batches: AsyncIterable<unknown[]>, write: (texts: readonly string[]) => string): AsyncGenerator<string[]> {
        const width = columns.length;
        const texts: string[] = new Array<string>(width);
        for await (const values of batches) {
          const rows: string[] = [];
          for (let at = 0; at < values.length; at += width) {
            for (let i = 0; i < width; i++) texts[i] = jsonTextOf(columns[i]!.name, columns[i]!.kind, fromThread(values[at + i]));
            rows.push(write(texts));
          }
          yield rows;
        }
      }
      const closeAll = async () => {
        await reader?.close();
        await close();
      };
      return {
        columns: columns.map((c) => c.name),
        rows: rows(),
        batches: batched,
        ...(reader && toJson ? { jsonBatches: jsonBatches(reader.batches, toJson) } : {}),
        close: closeAll,
      };
    },
    isTransient(error) {
      const code = (error as { code?: unknown })?.code;
      return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
    },
    async close() {},
  };
}

/** A value as the reader thread posted it: a BLOB is a Buffer again (a Buffer crosses threads as a plain Uint8Array). */
function fromThread(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}
