import { isCanonicalJson } from './canonical-json.js';
import { parseJsonColumn } from './driver.js';
import { jsonValueText } from './row-json.js';
import { toJsonValue, toRfc3339, utcRfc3339 } from './values.js';

/**
 * How SQLite's values become JSON (docs/own-data.md, `sql`), for row objects and rows' JSON text alike. SQLite has no column types, only declared names; these decide how a column's
 * values are written.
 */
export type ColumnKind = 'int64' | 'datetime' | 'json' | 'boolean' | 'plain';

export interface SqliteColumn {
  readonly name: string;
  readonly kind: ColumnKind;
}

export function kindOf(declared: string | null): ColumnKind {
  const t = (declared ?? '').toUpperCase();
  if (t.includes('BIGINT') || t.includes('INT8')) return 'int64';
  if (t.includes('TIMESTAMP') || t.includes('DATETIME')) return 'datetime';
  if (t === 'JSON' || t === 'JSONB') return 'json';
  if (t.startsWith('BOOL')) return 'boolean';
  return 'plain';
}

// Made once: converting the bounds on every call cost ~4x the comparison itself (2,000,000 values: 94-291 ms
// against 23-55 ms).
const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** A value as read with `safeIntegers`, made the JSON value its column's kind says. */
export function convert(name: string, kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'int64':
      return typeof value === 'bigint' ? value.toString() : toJsonValue(value);
    case 'datetime':
      return typeof value === 'string' ? toRfc3339(value) : toJsonValue(value);
    case 'json':
      // A JSON column has NUMERIC affinity: JSON text that is an integer is stored as one. Its value is the
      // number JSON.parse gives for those digits (JSON.stringify of a bigint failed the export).
      return typeof value === 'bigint' ? Number(value) : parseJsonColumn(name, value);
    case 'boolean':
      return typeof value === 'bigint' ? value !== 0n : toJsonValue(value);
    case 'plain':
      // INTEGER is 64-bit in SQLite: a number while exact, a string past 2^53 rather than a wrong number.
      if (typeof value === 'bigint') return value >= MIN_SAFE_BIGINT && value <= MAX_SAFE_BIGINT ? Number(value) : value.toString();
      return toJsonValue(value);
  }
}

/**
 * A value's JSON text in a row: `jsonValueText(convert(…))`, with the common cases written directly (a
 * 64-bit integer's digits need no escaping, a number no conversion), and a JSON column's own text when
 * JSON.stringify would write it back unchanged.
 */
export function jsonTextOf(name: string, kind: ColumnKind, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}` : 'null'; // a REAL, whatever the kind
  if (typeof value === 'bigint') {
    if (kind === 'int64') return `"${value}"`;
    if (kind === 'boolean') return value !== 0n ? 'true' : 'false';
    if (kind === 'plain' && value >= MIN_SAFE_BIGINT && value <= MAX_SAFE_BIGINT) return `${value}`;
  } else if (typeof value === 'string') {
    if (kind === 'json' && isCanonicalJson(value)) return value;
    if (kind === 'datetime') {
      const utc = utcRfc3339(value);
      if (utc !== undefined) return `"${utc}"`; // nothing in it to escape
    }
  }
  return jsonValueText(convert(name, kind, value));
}
