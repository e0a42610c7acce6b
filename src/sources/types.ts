/**
 * The source plugin API: where an archive's data comes from. A source knows nothing of ZIP, HTTP or OAuth;
 * it yields the files one resource group contributes for one user, each either a stream of records that the
 * exporter serializes, or raw bytes copied as they are.
 *
 * @example
 * const notes: Source = {
 *   name: 'notes',
 *   async *exportGroup({ userId }) {
 *     yield {
 *       kind: 'records', path: 'Notes/Notes.json', format: { type: 'json-array' },
 *       records: db.streamNotes(userId),
 *     };
 *   },
 * };
 */
export interface Source {
  readonly name: string;
  exportGroup(request: ExportRequest): AsyncIterable<ArchiveFile>;
  /** Release connections; called once at shutdown. */
  close?(): Promise<void>;
}

export interface ExportRequest {
  readonly userId: string;
  /** Resource group name, e.g. `myactivity.search`. */
  readonly group: string;
  /** Archive job id; stable across attempts of the same job. */
  readonly jobId: string;
  /** Inclusive lower bound; only set for groups that support time filters. */
  readonly startTime?: Date;
  /** Inclusive upper bound; always set for groups that support time filters (the request's endTime or now). */
  readonly endTime?: Date;
  /** Aborted when the job is cancelled or its lease is lost: stop promptly. */
  readonly signal: AbortSignal;
}

/** How a stream of records is written into one archive file. */
export type RecordFormat =
  /** `[r1, r2]`, or `{...fields, "<key>": [r1, r2]}` when `wrapper` is given (GeoJSON, Chrome history). */
  | { type: 'json-array'; wrapper?: { key: string; fields?: Record<string, unknown> } }
  /** One JSON value per line. */
  | { type: 'ndjson' }
  /**
   * RFC 4180 CSV with a header row (none when `header` is false, as in Chrome's `Dictionary.csv`); each record
   * is an object keyed by column or an array in column order.
   */
  | { type: 'csv'; columns: readonly string[]; header?: boolean }
  /** A single JSON object (settings, profiles): the one record is written as the whole file. */
  | { type: 'json-object' };

export type ArchiveFile =
  | {
      kind: 'records';
      /** Path below `Portability/`, e.g. `My Activity/Search/MyActivity.json`. */
      path: string;
      format: RecordFormat;
      records: AsyncIterable<unknown> | Iterable<unknown>;
      /**
       * Optional: the same records, addressable by position, so that worker threads can produce, serialize
       * and compress a long file in ranges side by side on every core. When the exporter uses this, it does
       * not read `records` at all.
       */
      shards?: RecordShards;
    }
  | {
      kind: 'bytes';
      path: string;
      content: AsyncIterable<Uint8Array>;
      /**
       * Optional: how many records the file holds when it is a list in a format of its own (a Netscape
       * bookmark file's bookmarks), for `archive_browser.json`. Absent for media.
       */
      records?: number;
    };

/**
 * How a worker thread produces any range of a records file on its own. The producer must yield, for
 * `[from, to)`, exactly the records `records` yields at those positions: the archive is the same whichever
 * way the file is read.
 *
 * @example
 * // squares.ts: export function squares(args: { base: number }, from: number, to: number) { … yield args.base + i * i … }
 * shards: { count: 1_000_000, module: new URL('./squares.js', import.meta.url).href, exportName: 'squares', args: { base: 0 } }
 */
export interface RecordShards {
  /** How many records the file holds. */
  readonly count: number;
  /** URL of the ES module (a `file:` URL or a package name) whose export `exportName` is a {@link ShardProducer}. */
  readonly module: string;
  readonly exportName: string;
  /** Handed to the producer with every range; it crosses to the worker by structured clone. */
  readonly args: unknown;
}

/** Yields the records at positions `[from, to)` of a file; runs in a worker thread. */
export type ShardProducer = (args: never, from: number, to: number) => Iterable<unknown> | AsyncIterable<unknown>;

/**
 * Thrown by a source for a failure that may pass (a timeout, a 503, a dropped connection). The exporter
 * retries the job with backoff; any other error fails the job.
 */
export class TransientSourceError extends Error {
  override readonly name = 'TransientSourceError';
}

/** Thrown by a source for a failure that retrying will not fix. The message is kept for the operator. */
export class PermanentSourceError extends Error {
  override readonly name = 'PermanentSourceError';
}

/**
 * What a plugin module exports (as `default` or `createSource`) for a catalog source of `type: plugin`:
 * a function that builds the Source from the catalog's `options`. The module may also export a ready
 * Source object instead. See docs/own-data.md and examples/plugin/.
 *
 * @example
 * // my-source.ts, named in the catalog as { type: plugin, module: ./my-source.ts, options: { greeting: hi } }
 * export default function createSource(options: { greeting: string }, context: SourcePluginContext): Source {
 *   return {
 *     name: context.name,
 *     async *exportGroup({ userId }) {
 *       yield { kind: 'records', path: 'Greetings/greeting.json', format: { type: 'json-object' }, records: [{ userId, text: options.greeting }] };
 *     },
 *   };
 * }
 */
export type SourceFactory = (options: Record<string, unknown>, context: SourcePluginContext) => Source | Promise<Source>;

export interface SourcePluginContext {
  /** The source's name in the catalog. */
  readonly name: string;
  /** The catalog file's folder: resolve relative paths in `options` against it. */
  readonly baseDir: string;
  /** The groups this source serves, with each group's free-form `settings` from the catalog. */
  readonly groups: readonly { readonly name: string; readonly timeFilter: boolean; readonly settings: Readonly<Record<string, unknown>> }[];
}
