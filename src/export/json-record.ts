/**
 * `JSON.stringify(record)`, byte for byte, faster for records that share immutable parts.
 *
 * Sources often build records from a few pooled values (the demo source's location, product and
 * activity-control objects are shared by millions of records), and `JSON.stringify` turned the same
 * objects into the same text again for every record: it was 31 % of the export thread's time on 1 GB of
 * My Activity. Here a nested object or array that is deeply frozen (every object in it frozen, data
 * properties only, plain prototypes, no `toJSON`) is serialized once and its text reused by identity: a
 * frozen value cannot change, so neither can its text. Anything else goes to `JSON.stringify` itself,
 * and a record this function does not handle exactly (not a plain object, or a `toJSON` anywhere at its
 * top level) is handed to `JSON.stringify` whole. A source that mutates and re-yields one object is
 * therefore safe: it is not frozen, so it is never cached.
 */
export function createJsonRecordSerializer(): (record: unknown, prefix?: string) => string {
  const frozenText = new WeakMap<object, string>();
  /** `"key":` and `,"key":` for each key seen: the two ways a key is written. */
  const keyText = new Map<string, readonly [string, string]>();

  function nestedText(value: object): string | undefined {
    const cached = frozenText.get(value);
    if (cached !== undefined) return cached;
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined && isDeeplyFrozenPlain(value)) frozenText.set(value, text);
    return text;
  }

  // `prefix` (a separator) starts the text: one string less per record than joining them after.
  return (record, prefix = '') => {
    // With no frozen value to reuse the text of, JSON.stringify itself is faster than the loop below (a
    // database row of text and a parsed JSON column: ~25 % less time serializing, bench/README.md round 6).
    if (
      typeof record !== 'object' ||
      record === null ||
      Object.getPrototypeOf(record) !== Object.prototype ||
      hasToJson(record) ||
      !hasFrozenValue(record as Record<string, unknown>)
    ) {
      return prefix + JSON.stringify(record);
    }
    const object = record as Record<string, unknown>;
    let out = `${prefix}{`;
    let first = true;
    for (const key of Object.keys(object)) {
      const value = object[key];
      let text: string | undefined;
      switch (typeof value) {
        case 'string':
          text = quote(value);
          break;
        case 'number':
          text = JSON.stringify(value);
          break;
        case 'boolean':
          text = value ? 'true' : 'false';
          break;
        case 'object':
          if (value === null) text = 'null';
          // toJSON receives the property name from JSON.stringify: let it see the real one.
          else if (hasToJson(value)) return prefix + JSON.stringify(record);
          else text = nestedText(value);
          break;
        case 'bigint':
          return prefix + JSON.stringify(record); // throws as JSON.stringify does
        default:
          text = undefined; // undefined, functions and symbols are left out, as JSON.stringify does
      }
      if (text === undefined) continue;
      let k = keyText.get(key);
      if (k === undefined) {
        const quoted = `${JSON.stringify(key)}:`;
        k = [quoted, `,${quoted}`];
        if (keyText.size < 4096) keyText.set(key, k);
      }
      out += first ? k[0] : k[1];
      out += text;
      first = false;
    }
    return `${out}}`;
  };
}

/**
 * `JSON.stringify(text)`, without its cost for the common string that needs no escaping. JSON.stringify
 * escapes the quote, the backslash, control characters and lone surrogates; any surrogate is handed to it, so
 * pairs are kept and lone ones escaped exactly as it does.
 */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** Whether one of the record's own values is a frozen object (whose text may be cached). */
function hasFrozenValue(record: Record<string, unknown>): boolean {
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'object' && value !== null && Object.isFrozen(value)) return true;
  }
  return false;
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** Frozen all the way down, with nothing that could make its JSON text differ between two calls. */
function isDeeplyFrozenPlain(value: object): boolean {
  if (!Object.isFrozen(value) || hasToJson(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
  for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
    if (!('value' in descriptor)) return false; // a getter may answer differently each time
    const v: unknown = descriptor.value;
    if (typeof v === 'object' && v !== null && !isDeeplyFrozenPlain(v)) return false;
  }
  return true;
}
