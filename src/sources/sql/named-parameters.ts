/** The parameters a catalog query may name; every one is always bound. */
export const SQL_PARAMETERS = ['user_id', 'start_time', 'end_time'] as const;
export type SqlParameter = (typeof SQL_PARAMETERS)[number];

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

export interface CompiledQuery {
  /** The query with each `:name` replaced by the driver's placeholder. */
  readonly text: string;
  /** The parameter each placeholder binds, in order. */
  readonly parameters: readonly SqlParameter[];
  /**
   * The text around the placeholders (one more piece than parameters), for a driver that writes values in as
   * literals and the query inside other SQL (PostgreSQL's COPY): the last piece ends at the last code, without
   * a closing semicolon or the comments after it.
   */
  readonly pieces: readonly string[];
}

export class NamedParameterError extends Error {
  override readonly name = 'NamedParameterError';
}

/**
 * Turns `:user_id`, `:start_time`, `:end_time` into `$1`, `$2` (PostgreSQL) or `?` (MySQL, SQLite). Text
 * inside string literals, quoted identifiers, comments and PostgreSQL dollar quotes is left alone, and so is
 * PostgreSQL's `::type` cast. An unknown `:name` is an error, so a typo fails at start-up, not mid-export.
 */
export function compileNamedParameters(sql: string, dialect: SqlDialect): CompiledQuery {
  const parameters: SqlParameter[] = [];
  const pieces: string[] = [];
  let out = '';
  let piece = 0;
  /** The end in `out` of the last code seen (not a comment, not white space). */
  let codeEnd = 0;
  let i = 0;
  const copyUntil = (end: number, code = true) => {
    out += sql.slice(i, end);
    i = end;
    if (code) codeEnd = out.length;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      copyUntil(endOfQuoted(sql, i, c, dialect === 'mysql'));
    } else if ((c === '-' && next === '-') || (c === '#' && dialect === 'mysql')) {
      const eol = sql.indexOf('\n', i);
      copyUntil(eol === -1 ? sql.length : eol, false);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      copyUntil(close === -1 ? sql.length : close + 2, false);
    } else if (c === '$' && dialect === 'postgres' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      copyUntil(close === -1 ? sql.length : close + tag.length);
    } else if (c === ':' && next === ':') {
      copyUntil(i + 2);
    } else if (c === ':' && next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      if (!(SQL_PARAMETERS as readonly string[]).includes(name)) {
        throw new NamedParameterError(`unknown parameter :${name} (a query may use ${SQL_PARAMETERS.map((p) => `:${p}`).join(', ')})`);
      }
      parameters.push(name as SqlParameter);
      pieces.push(out.slice(piece));
      out += dialect === 'postgres' ? `$${parameters.length}` : '?';
      i += 1 + name.length;
      piece = codeEnd = out.length;
    } else {
      copyUntil(i + 1, !/\s/.test(c));
    }
  }
  pieces.push(out.slice(piece, out[codeEnd - 1] === ';' ? codeEnd - 1 : codeEnd));
  return { text: out, parameters, pieces };
}

/** Index just past the closing quote; a doubled quote is an escaped one, and so is `\'` in MySQL. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i++;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}
