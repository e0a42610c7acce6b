import { CatalogError, type CatalogPath, type GroupDefinition, type SqlFileDefinition, type SqlSourceDefinition } from '../../catalog/index.js';
import { batchedRecords } from '../record-batches.js';
import { streamFailure, withRetries } from '../retry.js';
import { PermanentSourceError, type ArchiveFile, type ExportRequest, type RecordFormat, type Source } from '../types.js';
import type { SqlCursor, SqlDriver, SqlDriverOptions } from './driver.js';
import { compileNamedParameters, NamedParameterError, type CompiledQuery, type SqlDialect } from './named-parameters.js';

export interface SqlSourceOptions {
  readonly name: string;
  readonly definition: SqlSourceDefinition;
  /** The groups this source serves, as the catalog declares them. */
  readonly groups: readonly GroupDefinition[];
  readonly baseDir: string;
  /** Where a group's file sits in the catalog, for start-up errors. */
  readonly locate: (group: GroupDefinition, at: CatalogPath) => string;
}

interface PreparedFile {
  readonly file: SqlFileDefinition;
  readonly query: CompiledQuery;
  readonly jsonColumns: ReadonlySet<string>;
}

function dialectOf(url: string): SqlDialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('mysql:') || url.startsWith('mariadb:')) return 'mysql';
  return 'postgres';
}

// Each driver, and its database library, is loaded when a source of its dialect opens: a server whose catalog
// has no PostgreSQL or MySQL source never loads pg or mysql2 for one.
const DRIVERS: Record<SqlDialect, () => Promise<(options: SqlDriverOptions) => SqlDriver>> = {
  postgres: async () => (await import('./driver-postgres.js')).createPostgresDriver,
  mysql: async () => (await import('./driver-mysql.js')).createMysqlDriver,
  sqlite: async () => (await import('./driver-sqlite.js')).createSqliteDriver,
};

/**
 * The `sql` source: each file of a group is one query, streamed through a cursor. `:user_id` is bound to the
 * user's id; `:start_time` and `:end_time` to the request's window (1970-01-01 and the export time when the
 * request sets none, so a query can always compare against them).
 */
export async function createSqlSource(options: SqlSourceOptions): Promise<Source> {
  const { definition } = options;
  const dialect = dialectOf(definition.url);
  const prepared = new Map<string, PreparedFile[]>();
  const mistakes: string[] = [];
  for (const group of options.groups) {
    const files: PreparedFile[] = [];
    group.files.forEach((file, j) => {
      const sqlFile = file as SqlFileDefinition;
      try {
        files.push({ file: sqlFile, query: compileNamedParameters(sqlFile.query, dialect), jsonColumns: new Set(sqlFile.jsonColumns) });
      } catch (error) {
        if (!(error instanceof NamedParameterError)) throw error;
        mistakes.push(`${options.locate(group, ['files', j, 'query'])}: ${error.message}`);
      }
    });
    prepared.set(group.name, files);
  }
  if (mistakes.length > 0) throw new CatalogError(mistakes.join('\n'));

  const driver = (await DRIVERS[dialect]())({ url: definition.url, fetchRows: definition.fetchRows, poolSize: definition.poolSize, baseDir: options.baseDir });
  const policy = { attempts: definition.attempts, backoffMs: definition.backoff };

  return {
    name: options.name,
    async *exportGroup(request: ExportRequest): AsyncGenerator<ArchiveFile> {
      const files = prepared.get(request.group);
      if (!files) throw new PermanentSourceError(`sql source "${options.name}" does not serve resource group ${request.group}`);
      const bound = {
        user_id: request.userId,
        start_time: driver.bindTime(request.startTime ?? new Date(0)),
        end_time: driver.bindTime(request.endTime ?? new Date()),
      };
      for (const { file, query, jsonColumns } of files) {
        const what = `${options.name}: query for ${request.group} → ${file.path}`;
        const cursor = await withRetries(
          what,
          policy,
          request.signal,
          () => driver.openCursor({ text: query.text, pieces: query.pieces, values: query.parameters.map((p) => bound[p]), jsonColumns }),
          (error) => ({ transient: driver.isTransient(error) }),
        );
        try {
          const archiveFile = await toArchiveFile(file, cursor, what, driver, request.signal);
          if (archiveFile) yield archiveFile;
        } finally {
          await cursor.close();
        }
      }
    },
    close: () => driver.close(),
  };
}

/** How often (in rows) a cursor checks for cancellation: prompt enough, and cheap. */
const ABORT_CHECK_ROWS = 1000;

async function toArchiveFile(
  file: SqlFileDefinition,
  cursor: SqlCursor,
  what: string,
  driver: SqlDriver,
  signal: AbortSignal,
): Promise<ArchiveFile | undefined> {
  if (file.format === 'json-object') {
    // One row is the whole file; none means there is nothing to write, more is a query the catalog got wrong.
    const rows: Record<string, unknown>[] = [];
    for await (const row of guard(cursor.rows, what, driver, signal)) {
      rows.push(row);
      if (rows.length > 1) throw new PermanentSourceError(`${what}: format json-object needs at most one row, the query returned more`);
    }
    return rows.length === 0 ? undefined : { kind: 'records', path: file.path, format: { type: 'json-object' }, records: rows };
  }
  const format: RecordFormat = file.format === 'csv' ? { type: 'csv', columns: cursor.columns } : { type: file.format };
  const records = cursor.batches ? batchedRecords(guardBatches(cursor.batches, what, driver, signal)) : guard(cursor.rows, what, driver, signal);
  return { kind: 'records', path: file.path, format, records };
}

/** `guard` a batch at a time: cancellation is seen between round trips. */
async function* guardBatches<T>(batches: AsyncIterable<T>, what: string, driver: SqlDriver, signal: AbortSignal): AsyncGenerator<T> {
  try {
    for await (const batch of batches) {
      signal.throwIfAborted();
      yield batch;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw streamFailure(what, error, driver.isTransient(error));
  }
}

/** Stops on cancellation, and turns a failure mid-result into one the job runner understands. */
async function* guard(
  rows: AsyncIterable<Record<string, unknown>>,
  what: string,
  driver: SqlDriver,
  signal: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  let n = 0;
  try {
    for await (const row of rows) {
      if (++n % ABORT_CHECK_ROWS === 0) signal.throwIfAborted();
      yield row;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw streamFailure(what, error, driver.isTransient(error));
  }
}
