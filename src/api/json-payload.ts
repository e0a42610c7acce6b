/**
 * Reads a request body as JSON and, when it is not JSON, says so in the words of Google's front end, which
 * parses bodies with protobuf's streaming JSON parser (`util/internal/json_stream_parser.cc`): the parser's
 * sentence, then the 20 characters either side of where it stopped and a caret under that place, e.g.
 *
 *     Invalid JSON payload received. Unexpected token.
 *     "resources": [nope]}
 *                   ^
 *
 * (public reports of Google APIs' answers show this shape). The grammar is plain RFC 8259: protobuf's parser
 * also reads single-quoted strings, bare keys and trailing commas, but a client that leans on those here
 * would be leaning on something no JSON encoder produces; refusing them keeps this side the stricter one.
 */

/** A body that is not JSON; `description` is the text after "Invalid JSON payload received. ". */
export class JsonPayloadError extends Error {
  override readonly name = 'JsonPayloadError';
  constructor(readonly description: string) {
    super(`Invalid JSON payload received. ${description}`);
  }
}

/** How much of the body the error quotes on each side of where parsing stopped (json_stream_parser.cc). */
const CONTEXT_CHARS = 20;

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The value of a JSON text. Object keys are set as own properties (a `"__proto__"` key is a key like any
 * other), so the result can be walked safely by the request-body reader.
 */
export function parseJsonPayload(text: string): unknown {
  let p = 0;

  function fail(sentence: string): never {
    const begin = Math.max(0, p - CONTEXT_CHARS);
    const end = Math.min(text.length, p + CONTEXT_CHARS);
    throw new JsonPayloadError(`${sentence}\n${text.slice(begin, end)}\n${' '.repeat(p - begin)}^`);
  }
  /** At the end of the text the parser says so before its expectation. */
  function expected(sentence: string): never {
    return fail(p >= text.length ? `Unexpected end of string. ${sentence}` : sentence);
  }
  function skipSpace() {
    while (p < text.length && WHITESPACE.has(text[p]!)) p++;
  }

  function value(): unknown {
    skipSpace();
    const c = text[p];
    if (c === undefined) return expected('Expected a value.');
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, p)) {
        p += word.length;
        return v;
      }
    }
    return fail('Unexpected token.');
  }

  function object(): Record<string, unknown> {
    p++; // {
    const out: Record<string, unknown> = {};
    skipSpace();
    if (text[p] === '}') {
      p++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (text[p] !== '"') return expected('Expected an object key or }.');
      const key = string();
      skipSpace();
      if (text[p] !== ':') return expected('Expected : between key:value pair.');
      p++;
      Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
      skipSpace();
      if (text[p] === ',') {
        p++;
        continue;
      }
      if (text[p] === '}') {
        p++;
        return out;
      }
      return expected('Expected , or } after key:value pair.');
    }
  }

  function array(): unknown[] {
    p++; // [
    const out: unknown[] = [];
    skipSpace();
    if (text[p] === ']') {
      p++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (p >= text.length) return expected('Expected a value or ] within an array.');
      out.push(value());
      skipSpace();
      if (text[p] === ',') {
        p++;
        continue;
      }
      if (text[p] === ']') {
        p++;
        return out;
      }
      return expected('Expected , or ] after array value.');
    }
  }

  function string(): string {
    p++; // opening quote
    let out = '';
    for (;;) {
      const c = text[p];
      if (c === undefined) return fail('Closing quote expected in string.');
      if (c === '"') {
        p++;
        return out;
      }
      if (c === '\\') {
        const e = text[p + 1];
        if (e === 'u') {
          const hex = text.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail(hex.length < 4 ? 'Illegal hex string.' : 'Invalid escape sequence.');
          out += String.fromCharCode(parseInt(hex, 16));
          p += 6;
          continue;
        }
        if (e === undefined) return fail('Closing quote expected in string.');
        if (!(e in ESCAPES)) return fail('Invalid escape sequence.');
        out += ESCAPES[e];
        p += 2;
        continue;
      }
      if (c < ' ') return fail('Unexpected token.');
      out += c;
      p++;
    }
  }

  function number(): number {
    NUMBER.lastIndex = p;
    const m = NUMBER.exec(text);
    if (!m) return fail('Unable to parse number.');
    const next = text[p + m[0].length];
    // `01`, `1.`, `1e`: protobuf's parser names leading zeros; the rest it cannot read as a number.
    if (next !== undefined && /[0-9.eExX+-]/.test(next)) {
      return fail(/^-?0\d/.test(text.slice(p)) ? 'Octal/hex numbers are not valid JSON values.' : 'Unable to parse number.');
    }
    const n = Number(m[0]);
    if (!Number.isFinite(n)) return fail('Number exceeds the range of double.');
    p += m[0].length;
    return n;
  }

  const result = value();
  skipSpace();
  if (p < text.length) fail('Parsing terminated before end of input.');
  return result;
}
