/** The parameters a catalog query may name; every one is always bound. */
export const SQL_PARAMETERS = ['user_id', 'start_time', 'end_time'] as const;
export type SqlParameter = (typeof SQL_PARAMETERS)[number];

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

export interface CompiledQuery {
  /** The query with each `:name` replaced by the driver's placeholder. */
  readonly text: string;
  /** The parameter each placeholder binds, in order. */
  readonly parameters: readonly SqlParameter[];
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
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      copyUntil(endOfQuoted(sql, i, c, dialect === 'mysql'));
    } else if ((c === '-' && next === '-') || (c === '#' && dialect === 'mysql')) {
      const eol = sql.indexOf('\n', i);
      copyUntil(eol === -1 ? sql.length : eol);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      copyUntil(close === -1 ? sql.length : close + 2);
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
      out += dialect === 'postgres' ? `$${parameters.length}` : '?';
      i += 1 + name.length;
    } else {
      copyUntil(i + 1);
    }
  }
  return { text: out, parameters };
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
