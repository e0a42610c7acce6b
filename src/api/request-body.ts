import { ApiError, type FieldViolation } from './api-error.js';

/**
 * Reads a JSON body into a method's request message the way Google's front end does (protobuf's JSON-to-proto
 * writer), and refuses what it refuses in its words:
 * - a field name, in lowerCamel or snake_case, that the message lacks: `Invalid JSON payload received. Unknown
 *   name "starttime": Cannot find field.` (`… at 'start_time': …` inside a nested message);
 * - a value of the wrong kind: `Invalid value at 'resources[0]' (TYPE_STRING), 1`;
 * - a timestamp that is not RFC 3339: `Invalid value at 'start_time' (type.googleapis.com/google.protobuf.Timestamp),
 *   Field 'startTime', Illegal timestamp format; …`;
 * - a list for a single field, an object for a scalar, and a body that is not an object.
 * Every problem in the body is reported at once, one per line of the message and one per `fieldViolations`
 * entry of a `google.rpc.BadRequest` detail. `null` leaves a field unset, as proto3 JSON says.
 */

/** `raw`: any JSON value, checked by the caller (Timestamp's own integer fields). */
type Kind = 'string' | 'timestamp' | 'raw';

interface Field {
  /** lowerCamel, as in the discovery document; the proto name is accepted too. */
  readonly json: string;
  readonly proto: string;
  readonly kind: Kind;
  readonly repeated?: true;
}

const TIMESTAMP_TYPE = 'type.googleapis.com/google.protobuf.Timestamp';

const INITIATE_REQUEST: readonly Field[] = [
  { json: 'resources', proto: 'resources', kind: 'string', repeated: true },
  { json: 'startTime', proto: 'start_time', kind: 'timestamp' },
  { json: 'endTime', proto: 'end_time', kind: 'timestamp' },
];

/**
 * RetryPortabilityArchiveRequest and CancelPortabilityArchiveRequest hold the job's `name`, which the URL
 * binds (the discovery document leaves it out of their schemas for that reason); a body may repeat it.
 */
const JOB_NAME_REQUEST: readonly Field[] = [{ json: 'name', proto: 'name', kind: 'string' }];

/** ResetAuthorizationRequest and CheckAccessTypeRequest have no fields. */
const EMPTY_REQUEST: readonly Field[] = [];

/** How protobuf's writer quotes a value back (`DataPiece::ValueAsStringOrDefault`): strings unescaped in quotes. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const at = (location: string) => (location ? ` at '${location}'` : '');
const join = (location: string, name: string) => (location ? `${location}.${name}` : name);

class MessageReader {
  readonly violations: FieldViolation[] = [];

  private add(location: string, description: string) {
    this.violations.push(location ? { field: location, description } : { description });
  }

  unknownName(location: string, name: string, why: string) {
    this.add(location, `Invalid JSON payload received. Unknown name "${name}"${at(location)}: ${why}`);
  }

  invalidValue(location: string, type: string, text: string) {
    this.add(location, `Invalid value${location ? ` at '${location}'` : ''} (${type}), ${text}`);
  }

  /** The fields of `body` that `fields` names, by json name; unknown and ill-typed ones are recorded. */
  message(body: Record<string, unknown>, fields: readonly Field[], location: string): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [name, value] of Object.entries(body)) {
      const field = fields.find((f) => f.json === name || f.proto === name);
      if (!field) {
        this.unknownName(location, name, 'Cannot find field.');
        continue;
      }
      if (value === null) continue;
      const path = join(location, field.proto);
      if (field.repeated) {
        if (Array.isArray(value)) out.set(field.json, this.list(value, field, path));
        else if (typeof value === 'object') this.invalidValue(location, field.proto, 'Starting an object on a scalar field');
        else this.invalidValue(path, 'TYPE_STRING', valueText(value));
        continue;
      }
      if (Array.isArray(value)) {
        this.unknownName(location, name, 'Proto field is not repeating, cannot start list.');
        continue;
      }
      const read = this.single(value, field, name, path, location);
      if (read !== undefined) out.set(field.json, read);
    }
    return out;
  }

  /** A repeated field's elements; a list nested in the list adds to the same field, as protobuf's writer does. */
  private list(values: readonly unknown[], field: Field, path: string, into: unknown[] = []): unknown[] {
    for (const value of values) {
      if (value === null) continue;
      if (Array.isArray(value)) {
        this.list(value, field, path, into);
        continue;
      }
      const read = this.single(value, field, field.json, `${path}[${into.length}]`, `${path}[${into.length}]`);
      into.push(read);
    }
    return into;
  }

  private single(value: unknown, field: Field, sentName: string, path: string, parent: string): unknown {
    if (field.kind === 'raw') return value;
    if (field.kind === 'string') {
      if (typeof value === 'string') return value;
      if (typeof value === 'object') this.invalidValue(parent, field.proto, 'Starting an object on a scalar field');
      else this.invalidValue(path, 'TYPE_STRING', valueText(value));
      return undefined;
    }
    return this.timestamp(value, sentName, path);
  }

  /**
   * A google.protobuf.Timestamp: an RFC 3339 string in its JSON form, or the message itself
   * (`{"seconds": …, "nanos": …}`), which protobuf's writer also takes.
   */
  private timestamp(value: unknown, sentName: string, path: string): Date | undefined {
    const invalid = (why: string) => {
      this.invalidValue(path, TIMESTAMP_TYPE, `Field '${sentName}', ${why}`);
      return undefined;
    };
    if (typeof value === 'string') {
      const parsed = parseTimestamp(value);
      return typeof parsed === 'string' ? invalid(parsed) : parsed;
    }
    if (typeof value !== 'object' || value === null) return invalid(`Invalid data type for timestamp, value is ${valueText(value)}`);
    const fields = this.message(value as Record<string, unknown>, TIMESTAMP_FIELDS, path);
    let seconds = 0;
    let nanos = 0;
    const s = fields.get('seconds');
    const n = fields.get('nanos');
    if (s !== undefined) {
      if (typeof s === 'string' && /^-?\d+$/.test(s)) seconds = Number(s);
      else if (typeof s === 'number' && Number.isInteger(s)) seconds = s;
      else this.invalidValue(join(path, 'seconds'), 'TYPE_INT64', valueText(s));
    }
    if (n !== undefined) {
      if ((typeof n === 'number' || (typeof n === 'string' && /^-?\d+$/.test(n))) && Number.isInteger(Number(n)) && Math.abs(Number(n)) < 2 ** 31)
        nanos = Number(n);
      else this.invalidValue(join(path, 'nanos'), 'TYPE_INT32', valueText(n));
    }
    const ms = seconds * 1000 + Math.floor(nanos / 1e6);
    if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS || nanos < 0 || nanos > 999_999_999) return invalid('Timestamp value exceeds limits');
    return new Date(ms);
  }
}

/** Timestamp's own fields (int64 and int32), read raw and checked by `timestamp`. */
const TIMESTAMP_FIELDS: readonly Field[] = [
  { json: 'seconds', proto: 'seconds', kind: 'raw' },
  { json: 'nanos', proto: 'nanos', kind: 'raw' },
];

/** google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
const MIN_TIMESTAMP_MS = -62_135_596_800_000;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

// RFC 3339 as Google's front end reads it: upper-case 'T' and 'Z' only, up to nanoseconds, an offset or 'Z'.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** The instant, or why Google's front end refuses the text (its words, from public reports of its answers). */
export function parseTimestamp(text: string): Date | string {
  const m = RFC3339.exec(text);
  if (!m) {
    return /^(\d{5,}|0000)-/.test(text)
      ? 'Timestamp value exceeds limits'
      : "Illegal timestamp format; timestamps must end with 'Z' or have a valid timezone offset.";
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  const offsetOk = m[8] === 'Z' || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || !offsetOk) {
    return "Illegal timestamp format; timestamps must end with 'Z' or have a valid timezone offset.";
  }
  if (year === 0) return 'Timestamp value exceeds limits';
  // Milliseconds are what a Date holds; finer digits are dropped.
  const fraction = (m[7] ?? '').slice(0, 4);
  return new Date(`${m.slice(1, 4).join('-')}T${m.slice(4, 7).join(':')}${fraction}${m[8]}`);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function readRequest(body: unknown, fields: readonly Field[]): Map<string, unknown> {
  // A POST without a body (what googleapis sends for `{}` methods) is the empty message.
  if (body === undefined) return new Map();
  const reader = new MessageReader();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    reader.unknownName('', '', 'Root element must be a message.');
    throw ApiError.badRequest(reader.violations);
  }
  const read = reader.message(body as Record<string, unknown>, fields, '');
  if (reader.violations.length > 0) throw ApiError.badRequest(reader.violations);
  return read;
}

export function parseInitiateBody(body: unknown): { resources: string[]; startTime?: Date; endTime?: Date } {
  const read = readRequest(body, INITIATE_REQUEST);
  const startTime = read.get('startTime') as Date | undefined;
  const endTime = read.get('endTime') as Date | undefined;
  return {
    resources: (read.get('resources') as string[] | undefined) ?? [],
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
  };
}

/** Bodies of retry and cancel: `{}`, or the job's name again. */
export function parseJobNameBody(body: unknown): void {
  readRequest(body, JOB_NAME_REQUEST);
}

/** Bodies of the methods whose request message is empty. */
export function parseEmptyBody(body: unknown): void {
  readRequest(body, EMPTY_REQUEST);
}
