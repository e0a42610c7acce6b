/**
 * Whether a JSON column's text is already what `JSON.stringify(JSON.parse(text))` writes, so it can go into
 * the archive as it is. Parsing a small JSON column and writing it again was the largest single cost of a
 * SQLite export with one (bench/README.md, round 7); most such text was written by `json_object()` or
 * `JSON.stringify` and is canonical already.
 *
 * Conservative: `true` only for text in the exact form JSON.stringify writes (no whitespace; strings with
 * only the escapes it makes; numbers as JavaScript writes them), with no object key JSON.parse would
 * reorder (all digits), drop (repeated) or treat apart (`__proto__`), and nesting and objects of modest
 * size. Anything else is `false`, and the caller parses and writes it as before (a text that is not JSON
 * then fails there as it did).
 */
export function isCanonicalJson(text: string): boolean {
  const scanner = new Scanner(text);
  return scanner.value(0) && scanner.at === text.length;
}

/** Deeper text is left to JSON.parse (and this scanner's recursion stays small). */
const MAX_DEPTH = 32;
/** Keys are checked for repeats pairwise: larger objects are left to JSON.parse. */
const MAX_KEYS = 32;

class Scanner {
  at = 0;
  constructor(private readonly text: string) {}

  value(depth: number): boolean {
    const c = this.text.charCodeAt(this.at);
    if (c === 0x22 /* " */) return this.string() >= 0;
    if (c === 0x7b /* { */) return depth < MAX_DEPTH && this.object(depth + 1);
    if (c === 0x5b /* [ */) return depth < MAX_DEPTH && this.array(depth + 1);
    if (c === 0x74 /* t */) return this.word('true');
    if (c === 0x66 /* f */) return this.word('false');
    if (c === 0x6e /* n */) return this.word('null');
    return this.number();
  }

  private word(w: string): boolean {
    if (!this.text.startsWith(w, this.at)) return false;
    this.at += w.length;
    return true;
  }

  /** A number is canonical when JavaScript writes its value back as the same text (`-0`, `1.0`, `1e2` are not). */
  private number(): boolean {
    const start = this.at;
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.at);
      // digits, '+', '-', '.', 'e' ('E' never: JavaScript writes 'e')
      if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x65) this.at++;
      else break;
    }
    if (this.at === start) return false;
    const literal = text.slice(start, this.at);
    return String(Number(literal)) === literal && Number.isFinite(Number(literal));
  }

  /** A string in JSON.stringify's form; returns where its content starts, or -1. */
  private string(): number {
    const text = this.text;
    const start = ++this.at; // past the opening quote
    for (;;) {
      const c = text.charCodeAt(this.at);
      if (c === 0x22) {
        this.at++;
        return start;
      }
      if (c < 0x20 || Number.isNaN(c)) return -1; // a raw control character, or the end of the text
      if (c === 0x5c /* \ */) {
        if (!this.escape()) return -1;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        // A pair is kept as it is; a lone surrogate JSON.stringify would escape.
        const low = text.charCodeAt(this.at + 1);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return -1;
        this.at += 2;
        continue;
      }
      this.at++;
    }
  }

  /** The escapes JSON.stringify writes: `\"`, `\\`, `\b\f\n\r\t`, and `\u00xx` (lower case) for other control characters. */
  private escape(): boolean {
    const text = this.text;
    const e = text.charCodeAt(this.at + 1);
    if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      this.at += 2;
      return true;
    }
    if (e !== 0x75 /* u */ || !text.startsWith('00', this.at + 2)) return false;
    const hex = text.slice(this.at + 4, this.at + 6);
    if (!/^[01][0-9a-f]$/.test(hex)) return false;
    const code = Number.parseInt(hex, 16);
    if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return false; // short forms
    this.at += 6;
    return true;
  }

  private array(depth: number): boolean {
    this.at++; // [
    if (this.text.charCodeAt(this.at) === 0x5d /* ] */) {
      this.at++;
      return true;
    }
    for (;;) {
      if (!this.value(depth)) return false;
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return true;
      if (c !== 0x2c /* , */) return false;
    }
  }

  /**
   * Where each key of the objects being scanned starts and ends in the text (quotes excluded), the
   * innermost object's last: keys are compared as written, without copying them out.
   */
  private readonly keyStarts: number[] = [];
  private readonly keyEnds: number[] = [];

  private object(depth: number): boolean {
    const text = this.text;
    this.at++; // {
    if (text.charCodeAt(this.at) === 0x7d /* } */) {
      this.at++;
      return true;
    }
    const first = this.keyStarts.length; // this object's keys start here
    try {
      for (;;) {
        if (text.charCodeAt(this.at) !== 0x22) return false;
        const start = this.string();
        if (start < 0) return false;
        const end = this.at - 1;
        if (this.keyStarts.length - first === MAX_KEYS || !this.plainKey(start, end, first)) return false;
        this.keyStarts.push(start);
        this.keyEnds.push(end);
        if (text.charCodeAt(this.at++) !== 0x3a /* : */) return false;
        if (!this.value(depth)) return false;
        const c = text.charCodeAt(this.at++);
        if (c === 0x7d) return true;
        if (c !== 0x2c) return false;
      }
    } finally {
      this.keyStarts.length = first;
      this.keyEnds.length = first;
    }
  }

  /**
   * A key JSON.parse keeps in place and once: not all digits (array indices go first; other digit strings
   * conservatively too), not `__proto__`, and not one of this object's earlier keys (with canonical escapes
   * only, equal text is an equal key).
   */
  private plainKey(start: number, end: number, first: number): boolean {
    const text = this.text;
    let digits = true;
    for (let i = start; i < end && digits; i++) {
      const c = text.charCodeAt(i);
      digits = c >= 0x30 && c <= 0x39;
    }
    if (digits || (end - start === 9 && text.startsWith('__proto__', start))) return false;
    for (let k = first; k < this.keyStarts.length; k++) {
      const s = this.keyStarts[k]!;
      if (this.keyEnds[k]! - s !== end - start) continue;
      let same = true;
      for (let i = 0; i < end - start && same; i++) same = text.charCodeAt(s + i) === text.charCodeAt(start + i);
      if (same) return false;
    }
    return true;
  }
}
