/**
 * How database values become JSON faithfully, whatever the driver: timestamps as RFC 3339, 64-bit
 * integers as strings (JSON numbers lose precision past 2^53), bytes as base64. Drivers hand over text
 * for date-times so no precision is lost to JavaScript's millisecond Date.
 */

const SQL_DATETIME = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/**
 * `2024-05-01 10:00:00.123456+02` → `2024-05-01T10:00:00.123456+02:00`. A value without an offset is taken
 * as UTC (the convention of SQLite's datetime() and of a DATETIME column written by a UTC server). Text that
 * is not a date-time (`infinity`, a BC date) is returned as it is.
 */
export function toRfc3339(text: string): string {
  const utc = utcRfc3339(text);
  if (utc !== undefined) return utc;
  const m = SQL_DATETIME.exec(text.trim());
  if (!m) return text;
  const [, date, rawTime, rawOffset] = m;
  const time = rawTime!.length === 5 ? `${rawTime}:00` : rawTime!;
  return `${date}T${time}${offsetOf(rawOffset)}`;
}

/**
 * The common case without the regular expression (less than half the time): a four-digit year, seconds, an
 * optional fraction and either no offset or `+00`, which is what PostgreSQL writes in a UTC session and
 * SQLite's datetime() writes. Anything else is left to the general rule (undefined).
 */
function utcRfc3339(text: string): string | undefined {
  let end = text.length;
  if (end < 19) return undefined;
  if (text.charCodeAt(end - 3) === 43 /* + */ && text.charCodeAt(end - 2) === 48 && text.charCodeAt(end - 1) === 48) end -= 3;
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i);
    const want = FIXED_SHAPE.charCodeAt(i);
    if (want === 100 /* d */ ? c < 48 || c > 57 : c !== want) return undefined;
  }
  if (end > 19) {
    if (text.charCodeAt(19) !== 46 /* . */ || end === 20) return undefined;
    for (let i = 20; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
  }
  return `${text.slice(0, 10)}T${text.slice(11, end)}Z`;
}
const FIXED_SHAPE = 'dddd-dd-dd dd:dd:dd';

function offsetOf(raw: string | undefined): string {
  if (raw === undefined || raw.toUpperCase() === 'Z') return 'Z';
  const digits = raw.slice(1).replace(/:/g, '');
  const hh = digits.slice(0, 2);
  const mm = digits.slice(2, 4) || '00';
  if (hh === '00' && mm === '00') return 'Z';
  return `${raw[0]}${hh}:${mm}`;
}

/** The UTC text SQLite's own functions write (`datetime('now')`), so bound times compare with stored ones. */
export function toSqliteDatetime(date: Date): string {
  const iso = date.toISOString();
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '000' ? '' : `.${ms}`}`;
}

/** The value types JSON cannot carry as they are: bytes, 64-bit integers, stray Dates. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return value;
}
