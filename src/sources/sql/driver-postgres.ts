import pg from 'pg';
import pgUtils from 'pg/lib/utils.js';
import { parse as parseArray } from 'postgres-array';
import { to as copyTo } from 'pg-copy-streams';
import { TRANSIENT_NETWORK_CODES } from '../retry.js';
import { CopyTextReader, type CopyColumn } from './copy-text.js';
import { parseJsonColumn, type CursorQuery, type SqlCursor, type SqlDriver, type SqlDriverOptions } from './driver.js';
import { toJsonValue, toRfc3339 } from './values.js';

// PostgreSQL type OIDs (pg_type.oid) whose default JavaScript conversion would lose something.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INTERVAL = 1186;
const INT8 = 20;
const BYTEA = 17;
// Their arrays: node-pg would make Dates, Buffers, floats and interval objects of the elements.
const TIMESTAMP_ARRAY = 1115;
const TIMESTAMPTZ_ARRAY = 1185;
const DATE_ARRAY = 1182;
const INTERVAL_ARRAY = 1187;
const INT8_ARRAY = 1016;
const NUMERIC_ARRAY = 1231;
const BYTEA_ARRAY = 1001;
const identity = (text: string) => text;
/** What node-pg does with a type it has no parser for (text, varchar, uuid, numeric…): the text itself. */
const asText = pg.types.getTypeParser(25, 'text');

/**
 * The text of a value → its JavaScript value: node-pg's parsers, except that text stays text where Date would
 * drop microseconds or shift a calendar date by the local zone, and int8 stays a string (the pg default,
 * spelled out because it matters). Arrays of those, and of numeric and bytea, follow the same rules element by
 * element (docs/own-data.md): node-pg made Dates, floats that round a numeric, and Buffers written as
 * `{"type":"Buffer"}` of their elements.
 */
function typeParser(oid: number): (text: string) => unknown {
  if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return toRfc3339;
  if (oid === DATE || oid === INTERVAL || oid === INT8) return identity;
  if (oid === TIMESTAMP_ARRAY || oid === TIMESTAMPTZ_ARRAY) return (text) => parseArray(text, toRfc3339);
  if (oid === DATE_ARRAY || oid === INTERVAL_ARRAY || oid === INT8_ARRAY || oid === NUMERIC_ARRAY) return (text) => parseArray(text);
  if (oid === BYTEA_ARRAY) {
    const bytea = pg.types.getTypeParser(BYTEA, 'text');
    return (text) => parseArray(text, (element) => toJsonValue(bytea(element)));
  }
  return pg.types.getTypeParser(oid, 'text');
}

// SQLSTATE classes that may pass: 08 connection exception, 40 transaction rollback (deadlock, serialization),
// 53 insufficient resources, 57P01-03 the server shutting down or not yet up.
const TRANSIENT_SQLSTATE = /^(08|40|53|57P0[1-3])/;

/**
 * Streams a query's rows with `COPY (query) TO STDOUT` in a read-only transaction: one response the server
 * writes as fast as this process reads it (TCP back-pressure bounds the memory), with no round trip and no
 * protocol message per row, where a cursor's FETCH loop spent most of an export's time (bench/README.md, round 6).
 * COPY's text format carries each value as its type's output function writes it, as the query protocol does,
 * so each field goes through the same parser a query's result would (`typeParser`) and the rows are the same.
 */
export function createPostgresDriver(options: SqlDriverOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // timestamptz is rendered in the session zone: UTC makes every offset `+00`, so output is stable. Options
    // from the URL (`?options=-c search_path=shop`) are kept.
    options: `${new URL(options.url).searchParams.get('options') ?? ''} -c TimeZone=UTC`.trim(),
  });
  // An idle connection dropped by the server must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  let queries = 0;

  return {
    dialect: 'postgres',
    bindTime: (date) => date,
    async openCursor(query): Promise<SqlCursor> {
      const client = await pool.connect();
      let open = true;
      let copying = false;
      const close = async () => {
        if (!open) return;
        open = false;
        try {
          // A COPY not read to its end cannot be stopped on a live connection: drop the connection.
          if (copying) throw new Error('COPY abandoned before its end');
          await client.query('ROLLBACK');
          client.release();
        } catch (error) {
          client.release(error as Error);
        }
      };
      let columns: CopyColumn[];
      let text: string;
      try {
        await client.query('BEGIN READ ONLY');
        text = withLiterals(query, await parameterTypes(client, query, ++queries));
        // COPY says nothing of its columns: the same query, planned but not run, gives their names and types.
        const described = await client.query(`SELECT * FROM (\n${text}\n) AS described LIMIT 0`);
        columns = described.fields.map((f) => ({ name: f.name, convert: converter(f.name, f.dataTypeID, query.jsonColumns) }));
      } catch (error) {
        await close();
        throw error;
      }
      async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
        const reader = new CopyTextReader(columns);
        try {
          copying = true;
          const stream = client.query(copyTo(`COPY (\n${text}\n) TO STDOUT`));
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            const rows = reader.rows(chunk);
            // At most `fetchRows` rows a batch, as a cursor's round trip had.
            for (let at = 0; at < rows.length; at += options.fetchRows) {
              yield at === 0 && rows.length <= options.fetchRows ? rows : rows.slice(at, at + options.fetchRows);
            }
          }
          copying = false;
          reader.end();
        } finally {
          await close();
        }
      }
      const batched = batches();
      async function* rows(): AsyncGenerator<Record<string, unknown>> {
        for await (const batch of batched) yield* batch;
      }
      return { columns: columns.map((c) => c.name), rows: rows(), batches: batched, close };
    },
    isTransient(error) {
      const code = (error as { code?: unknown })?.code;
      if (typeof code !== 'string') return /Connection terminated|timeout/i.test(String((error as Error)?.message));
      return TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code);
    },
    close: () => pool.end(),
  };
}

/** A column's text → the value written: its type's parser, then `jsonColumns` parsed or the value made JSON-safe. */
function converter(name: string, oid: number, jsonColumns: ReadonlySet<string>): (text: string) => unknown {
  const parse = typeParser(oid);
  if (jsonColumns.has(name)) return (text) => parseJsonColumn(name, parse(text));
  // Text stays text through toJsonValue: skip it for the parsers that only ever return text.
  if (parse === identity || parse === toRfc3339 || parse === asText) return parse;
  return (text) => toJsonValue(parse(text));
}

/** The query with `$1`, `$2`… where its parameters are. */
function withPlaceholders(query: CursorQuery): string {
  return query.pieces.reduce((text, piece, i) => `${text}$${i}${piece}`);
}

/**
 * The type PostgreSQL gives each of the query's parameters, as it does for a bound query: from the context each
 * is used in (the first, where one parameter is used in two). Asked of a prepared statement, dropped at once.
 */
async function parameterTypes(client: pg.PoolClient, query: CursorQuery, id: number): Promise<readonly string[]> {
  if (query.values.length === 0) return [];
  const name = `dataport_query_${id}`;
  const results = (await client.query(
    `PREPARE ${name} AS ${withPlaceholders(query)}\n;SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = '${name}';DEALLOCATE ${name}`,
  )) as unknown as pg.QueryResult<{ types: string[] }>[];
  return results[1]!.rows[0]!.types;
}

/**
 * The query with each parameter written in as a literal (COPY takes no bind parameters): the text node-pg
 * would have sent for the value, cast to the type the server gave the parameter, so it means what the bound
 * parameter did.
 */
function withLiterals(query: CursorQuery, types: readonly string[]): string {
  let text = query.pieces[0]!;
  query.values.forEach((value, i) => {
    const prepared = pgUtils.prepareValue(value);
    const literal = prepared === null ? 'NULL' : pg.escapeLiteral(String(prepared));
    const type = types[i];
    text += (type === undefined || type === 'unknown' ? literal : `CAST(${literal} AS ${type})`) + query.pieces[i + 1]!;
  });
  return text;
}
