import { jsonQuote } from '../../json-text.js';

/**
 * A database row's JSON text written straight from its values in column order, without the row object:
 * `JSON.stringify` of the object a driver would have built, byte for byte. Building that object and
 * serializing it was about a third of a SQLite export's main thread (bench/README.md, round 7).
 *
 * Only for column lists whose object JSON.stringify would write key by key in column order: every name
 * distinct (an object keeps a repeated name once, at its first place, with its last value), none an array
 * index (objects list those first, in numeric order) and none `__proto__` (assigning it sets the prototype).
 * For any other list there is no writer, and the caller keeps to row objects.
 *
 * The writer takes each column's value as JSON text already (`jsonValueText` of the converted value, or a
 * JSON column's own text when it is canonical): the row's text is the keys and those, joined.
 */
export function rowJsonWriter(names: readonly string[]): ((texts: readonly string[]) => string) | undefined {
  if (names.length === 0 || new Set(names).size !== names.length) return undefined;
  if (names.some((name) => name === '__proto__' || INDEX_LIKE.test(name))) return undefined;
  // `{"a":`, `,"b":`, …: each key's text with what comes before it, made once per query.
  const keys = names.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const count = keys.length;
  return (texts) => {
    let out = '';
    for (let i = 0; i < count; i++) out += keys[i]! + texts[i]!;
    return `${out}}`;
  };
}

/** Digits only: an array index or (conservatively) any other all-digit name. */
const INDEX_LIKE = /^[0-9]+$/;

/**
 * What `JSON.stringify` writes for a value inside an object. The values it would leave out with their key
 * (undefined, functions, symbols) are refused: a row's converted values never hold one.
 */
export function jsonValueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonQuote(value);
    case 'number':
      // JSON has no infinities or NaN; String() of any finite number is what JSON.stringify writes (-0 too).
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return JSON.stringify(value); // a parsed JSON column
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify of the row did
    default:
      throw new TypeError(`a row value JSON has no text for: ${typeof value}`);
  }
}
