import mysql, { type FieldPacket, type PoolConnection, type TypeCast } from 'mysql2';
import type { Readable } from 'node:stream';
import { TRANSIENT_NETWORK_CODES } from '../retry.js';
import { convertRow, type SqlCursor, type SqlDriver, type SqlDriverOptions } from './driver.js';
import { toRfc3339 } from './values.js';

// mysql2 error codes that may pass: a lost connection, a deadlock or lock wait, too many connections, a restart.
const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** DATETIME and TIMESTAMP come as text (no Date rounding) and leave as RFC 3339 in UTC. */
const typeCast: TypeCast = (field, next) => {
  if (field.type === 'DATETIME' || field.type === 'TIMESTAMP') {
    const text = field.string();
    return text === null ? null : toRfc3339(text);
  }
  return next();
};

/**
 * MySQL and MariaDB. Rows stream from the socket (mysql2's query stream pauses the connection when the
 * consumer is behind), so memory stays at about `fetchRows` rows whatever the result's size; they are handed
 * over a batch at a time, as the other drivers do.
 */
export function createMysqlDriver(options: SqlDriverOptions): SqlDriver {
  const pool = mysql.createPool({
    uri: options.url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: options.poolSize,
    // BIGINT and DECIMAL as strings: JSON numbers cannot hold them exactly.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: 'Z',
    typeCast,
  });
  // TIMESTAMP columns are shown in the session zone; UTC makes them, and the bound time bounds, agree.
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });

  return {
    dialect: 'mysql',
    bindTime: (date) => date,
    async openCursor(query): Promise<SqlCursor> {
      const connection = await new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
      const running = connection.query({ sql: query.text, values: [...query.values] });
      const stream: Readable = running.stream({ highWaterMark: options.fetchRows });
      let finished = false;
      let open = true;
      const close = async () => {
        if (!open) return;
        open = false;
        // A result not read to its end cannot be abandoned on a live connection: drop the connection.
        if (finished) connection.release();
        else connection.destroy();
        stream.destroy();
      };
      stream.on('end', () => {
        finished = true;
      });
      // Kept from the start: an error while no one waits on the stream is thrown at the next batch.
      let failure: Error | undefined;
      stream.on('error', (error: Error) => (failure ??= error));
      let columns: string[];
      try {
        columns = await new Promise<string[]>((resolve, reject) => {
          running.once('fields', (fields: FieldPacket[]) => resolve(fields.map((f) => f.name)));
          stream.once('error', reject);
          stream.once('end', () => resolve([]));
        });
      } catch (error) {
        await close();
        throw error;
      }
      // What the stream has buffered is taken a batch at a time (up to `fetchRows` rows, no promise per row),
      // waiting only when it is empty.
      const more = () =>
        new Promise<void>((resolve) => {
          const done = () => {
            stream.off('readable', done).off('end', done).off('error', done);
            resolve();
          };
          stream.on('readable', done).on('end', done).on('error', done);
        });
      async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
        try {
          for (;;) {
            if (failure !== undefined) throw failure;
            const batch: Record<string, unknown>[] = [];
            let row: Record<string, unknown> | null;
            while (batch.length < options.fetchRows && (row = stream.read() as Record<string, unknown> | null) !== null) {
              batch.push(convertRow(row, query.jsonColumns));
            }
            if (batch.length > 0) yield batch;
            else if (finished || stream.readableEnded) break;
            else await more();
          }
          finished = true;
        } finally {
          await close();
        }
      }
      const batched = batches();
      async function* rows(): AsyncGenerator<Record<string, unknown>> {
        for await (const batch of batched) yield* batch;
      }
      return { columns, rows: rows(), batches: batched, close };
    },
    isTransient(error) {
      const code = (error as { code?: unknown })?.code;
      return typeof code === 'string' && (TRANSIENT_CODES.has(code) || TRANSIENT_NETWORK_CODES.has(code));
    },
    close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  };
}
