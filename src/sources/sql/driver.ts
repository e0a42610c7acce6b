import type { SqlDialect } from './named-parameters.js';
import { toJsonValue } from './values.js';

/** One streamed result: its column names (known before the first row) and its rows, converted to JSON values. */
export interface SqlCursor {
  readonly columns: readonly string[];
  /** Pulled one round trip of `fetchRows` at a time; iterate once, this or `batches`. */
  readonly rows: AsyncIterable<Record<string, unknown>>;
  /** The same rows a round trip at a time, when the driver has them so (no promise per row). */
  readonly batches?: AsyncIterable<readonly Record<string, unknown>[]>;
  /** Ends the query and gives back the connection; safe to call twice, and after the rows ran out. */
  close(): Promise<void>;
}

export interface CursorQuery {
  /** The query text with the driver's placeholders. */
  readonly text: string;
  readonly values: readonly unknown[];
  /** The text around the placeholders, for a driver that writes the values in as literals. */
  readonly pieces: readonly string[];
  /** Text columns to parse as JSON. */
  readonly jsonColumns: ReadonlySet<string>;
}

/** A database the `sql` source reads from; one implementation per dialect, each the only importer of its library. */
export interface SqlDriver {
  readonly dialect: SqlDialect;
  /** How this database takes a time bound (a Date, or text in its own format). */
  bindTime(date: Date): unknown;
  openCursor(query: CursorQuery): Promise<SqlCursor>;
  /** Whether a failure may pass on its own (a dropped connection, a deadlock, a busy file). */
  isTransient(error: unknown): boolean;
  close(): Promise<void>;
}

export interface SqlDriverOptions {
  readonly url: string;
  readonly fetchRows: number;
  readonly poolSize: number;
  /** For `sqlite:` URLs with a relative path. */
  readonly baseDir: string;
}

/**
 * Parses a JSON column's value; a value that is not JSON is a mistake in the catalog or the data, not a blip.
 * Bytes (a BLOB or bytea listed in `jsonColumns`, or a BLOB in a SQLite column declared JSON) are JSON text
 * in UTF-8, as the operator said: they were written as Node's `{"type":"Buffer"}` object before.
 */
export function parseJsonColumn(column: string, value: unknown, why: 'listed in jsonColumns' | 'declared JSON' = 'listed in jsonColumns'): unknown {
  let text = value;
  if (value instanceof Uint8Array) {
    try {
      text = UTF8.decode(value);
    } catch {
      // SQLite's binary JSONB is stored as a BLOB: json(column) in the query turns it into text.
      throw new Error(`column "${column}" is a JSON column but holds bytes that are not UTF-8 text (SQLite's JSONB: select json(${column}))`);
    }
  }
  if (typeof text !== 'string') return value;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`column "${column}" is ${why} but holds text that is not JSON: ${text.slice(0, 40)}`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Converts a row in place: `jsonColumns` parsed, every other value made JSON-safe (toJsonValue). */
export function convertRow(row: Record<string, unknown>, jsonColumns: ReadonlySet<string>): Record<string, unknown> {
  for (const key in row) {
    row[key] = jsonColumns.has(key) ? parseJsonColumn(key, row[key]) : toJsonValue(row[key]);
  }
  return row;
}
