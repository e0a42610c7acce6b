/**
 * PostgreSQL's COPY text format, read back into rows. Each row is one line, fields are separated by tabs, a NULL
 * is `\N`, and every backslash, tab, newline and other control character inside a value is written as a
 * backslash escape; so a newline byte always ends a row and a tab byte always ends a field, whatever the data.
 * The text of a field, once unescaped, is exactly what the type's output function wrote: the same text the
 * query protocol would have carried, so the same parsers give the same values.
 */

/** One column of the result: its name in the row, and how its unescaped text becomes the value written. */
export interface CopyColumn {
  readonly name: string;
  readonly convert: (text: string) => unknown;
}

const NEWLINE = 0x0a;

/**
 * Turns the bytes of a COPY text stream, in chunks cut anywhere, into row objects. A chunk's incomplete last line
 * is kept until the next chunk completes it.
 */
export class CopyTextReader {
  private carried: Buffer | undefined;

  constructor(private readonly columns: readonly CopyColumn[]) {}

  /** The rows completed by this chunk, in order. */
  rows(chunk: Buffer): Record<string, unknown>[] {
    const bytes = this.carried ? Buffer.concat([this.carried, chunk]) : chunk;
    const end = bytes.lastIndexOf(NEWLINE);
    if (end === -1) {
      this.carried = bytes;
      return [];
    }
    this.carried = end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined;
    // Decoded a line at a time would cost a string per line; the chunk's complete lines decode at once (a
    // newline byte is never inside a UTF-8 sequence).
    return this.parseLines(bytes.toString('utf8', 0, end + 1));
  }

  /** Throws if the stream ended inside a row (it cannot when the server finished the COPY). */
  end(): void {
    if (this.carried) throw new Error(`COPY output ended inside a row (${this.carried.length} bytes without a line end)`);
  }

  private parseLines(text: string): Record<string, unknown>[] {
    const columns = this.columns;
    const last = columns.length - 1;
    const out: Record<string, unknown>[] = [];
    // The next backslash: a field before it has no escape and is not NULL, so it is passed on as it is.
    let slash = text.indexOf('\\');
    let at = 0;
    while (at < text.length) {
      const row: Record<string, unknown> = {};
      if (last === -1) {
        // A query of no columns still has rows: empty lines.
        at = text.indexOf('\n', at) + 1;
        out.push(row);
        continue;
      }
      for (let i = 0; i <= last; i++) {
        const stop = text.indexOf(i === last ? '\n' : '\t', at);
        if (stop === -1) throw new Error(`COPY output has a row with fewer fields than the ${columns.length} columns`);
        const column = columns[i]!;
        if (slash === -1 || slash > stop) {
          row[column.name] = column.convert(text.slice(at, stop));
        } else {
          row[column.name] = escapedFieldValue(text.slice(at, stop), column);
          slash = text.indexOf('\\', stop);
        }
        at = stop + 1;
      }
      out.push(row);
    }
    return out;
  }
}

function escapedFieldValue(raw: string, column: CopyColumn): unknown {
  // `\N` is NULL: a backslash in a value is always doubled, so this cannot be a value's text.
  return raw === '\\N' ? null : column.convert(unescapeCopyText(raw));
}

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * `a\tb\\c` → `a<tab>b\c`. COPY TO writes only these escapes; any other backslash pair stands for the character
 * after the backslash, as COPY FROM reads it.
 */
function unescapeCopyText(raw: string): string {
  let out = '';
  let from = 0;
  for (let i = raw.indexOf('\\'); i !== -1 && i + 1 < raw.length; i = raw.indexOf('\\', from)) {
    const c = raw[i + 1]!;
    out += raw.slice(from, i) + (ESCAPED[c] ?? c);
    from = i + 2;
  }
  return out + raw.slice(from);
}
