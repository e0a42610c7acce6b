import pg from 'pg';
import { TRANSIENT_NETWORK_CODES } from '../retry.js';
import { convertRow, type SqlCursor, type SqlDriver, type SqlDriverOptions } from './driver.js';
import { toRfc3339 } from './values.js';

// PostgreSQL type OIDs (pg_type.oid) whose default JavaScript conversion would lose something.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INTERVAL = 1186;
const INT8 = 20;
const identity = (text: string) => text;

/**
 * Text stays text where Date would drop microseconds or shift a calendar date by the local zone; int8 stays
 * a string (the pg default, spelled out because it matters).
 */
const faithfulTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return toRfc3339;
    if (oid === DATE || oid === INTERVAL || oid === INT8) return identity;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

// SQLSTATE classes that may pass: 08 connection exception, 40 transaction rollback (deadlock, serialization),
// 53 insufficient resources, 57P01-03 the server shutting down or not yet up.
const TRANSIENT_SQLSTATE = /^(08|40|53|57P0[1-3])/;

/**
 * Streams a query through a server-side cursor (DECLARE … CURSOR in a read-only transaction, then FETCH
 * `fetchRows` at a time), so a result of any size holds only one batch in memory.
 */
export function createPostgresDriver(options: SqlDriverOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    types: faithfulTypes,
    // timestamptz is rendered in the session zone: UTC makes every offset `+00`, so output is stable. Options
    // from the URL (`?options=-c search_path=shop`) are kept.
    options: `${new URL(options.url).searchParams.get('options') ?? ''} -c TimeZone=UTC`.trim(),
  });
  // An idle connection dropped by the server must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  let cursors = 0;

  return {
    dialect: 'postgres',
    bindTime: (date) => date,
    async openCursor(query): Promise<SqlCursor> {
      const client = await pool.connect();
      const name = `dataport_cursor_${++cursors}`;
      let open = true;
      const close = async (broken = false) => {
        if (!open) return;
        open = false;
        try {
          if (!broken) await client.query('ROLLBACK');
          client.release();
        } catch (error) {
          client.release(error as Error);
        }
      };
      let first: pg.QueryResult;
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${query.text}`, [...query.values]);
        first = await client.query(`FETCH ${options.fetchRows} FROM ${name}`);
      } catch (error) {
        await close();
        throw error;
      }
      const columns = first.fields.map((f) => f.name);
      const fetch = `FETCH ${options.fetchRows} FROM ${name}`;
      async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
        try {
          let batch = first;
          for (;;) {
            // The next round trip is under way while this batch is converted and written, so the database
            // and this process work at the same time (two batches in memory at most).
            const next = batch.rows.length < options.fetchRows ? undefined : client.query(fetch);
            next?.catch(() => {}); // awaited below; a failure while this batch is written is not unhandled
            const rows = batch.rows as Record<string, unknown>[];
            for (const row of rows) convertRow(row, query.jsonColumns);
            yield rows;
            if (!next) break;
            batch = await next;
          }
        } finally {
          await close();
        }
      }
      const batched = batches();
      async function* rows(): AsyncGenerator<Record<string, unknown>> {
        for await (const batch of batched) yield* batch;
      }
      return { columns, rows: rows(), batches: batched, close: () => close() };
    },
    isTransient(error) {
      const code = (error as { code?: unknown })?.code;
      if (typeof code !== 'string') return /Connection terminated|timeout/i.test(String((error as Error)?.message));
      return TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code);
    },
    close: () => pool.end(),
  };
}
