import type { BlobStore } from '../store/index.js';
import type { ArchiveFile, RecordFormat, RecordShards } from '../sources/index.js';
import { recordBatchesOf } from '../sources/record-batches.js';
import { deflatedText, ZipWriter, type DeflatedRange, type ZipEntryWriter } from './zip-writer.js';
import { continuationPath, serializerFor, type RecordSerializer } from './serialize.js';
import type { ArchiveIndex, IndexedFile } from './archive-index.js';
import type { ShardPool, ShardResult } from './shard-pool.js';

const ARCHIVE_ROOT = 'Portability';
const INDEX_FILE = `${ARCHIVE_ROOT}/archive_browser.json`;

export interface BuiltPart {
  partIndex: number;
  blobKey: string;
  sizeBytes: number;
  sha256: string;
}

export interface ArchiveGroup {
  name: string;
  files: AsyncIterable<ArchiveFile>;
}

export interface BuildArchiveOptions {
  groups: Iterable<ArchiveGroup>;
  blobs: BlobStore;
  /** Object key of part `index` (0-based). */
  partKey: (partIndex: number) => string;
  /** A part is closed, and a new one begun, once its compressed size reaches this. */
  partSizeBytes: number;
  compressionLevel: number;
  /** Modification time stamped on every entry. */
  mtime: Date;
  signal: AbortSignal;
  /** Facts about the job, written at the top of `archive_browser.json`. */
  describe: Omit<ArchiveIndex, 'services' | 'parts' | 'totals'>;
  /** Worker threads for files a source offers in ranges (`shards`); without it every file is made here. */
  shardPool?: ShardPool;
  /** Told as each group begins; its answer hears how the group ended (the run's per-group spans). */
  onGroup?: (name: string) => GroupWatch;
}

/** How one group ended: its files, records and bytes (uncompressed, as in `archive_browser.json`), or an error. */
export interface GroupWatch {
  done(totals: { files: number; records: number; sizeBytes: number }): void;
  failed(error: unknown): void;
}

/** Below this many records a file is made on this thread: handing ranges to threads would cost more than it saves. */
export const MIN_SHARDED_RECORDS = 4096;
/**
 * Ranges of one file queued or made but not yet written, per thread. A thread must never wait for this one
 * to get round to it; what waits here is deflated (~1/12 of a range's text), so four a thread cost ~1 MiB.
 */
const RANGES_AHEAD_PER_THREAD = 4;
/** Records in a file's first range, before their size per record is known. */
const FIRST_RANGE_RECORDS = 512;

/**
 * Streams every group's files into one or more ZIP parts in bounded memory: records are pulled from the
 * source one at a time, serialized into chunks, deflated and uploaded as they come. `archive_browser.json`
 * goes last, into the last part, once every count is known. On any error the parts written so far are the
 * caller's to delete (they live under the run's own key prefix).
 */
export async function buildArchive(options: BuildArchiveOptions): Promise<{ parts: BuiltPart[]; index: ArchiveIndex }> {
  const sink = new PartSink(options);
  const files: (IndexedFile & { group: string })[] = [];
  try {
    sink.open();
    for (const group of options.groups) {
      const first = files.length;
      const watch = options.onGroup?.(group.name);
      try {
        for await (const file of group.files) {
          options.signal.throwIfAborted();
          if (sink.full) await sink.rollOver();
          const written = file.kind === 'records' ? await sink.writeRecords(file) : [await sink.writeBytes(file)];
          for (const w of written) files.push({ ...w, group: group.name });
        }
      } catch (error) {
        watch?.failed(error);
        throw error;
      }
      const own = files.slice(first);
      watch?.done({ files: own.length, records: own.reduce((n, f) => n + (f.records ?? 0), 0), sizeBytes: own.reduce((n, f) => n + f.sizeBytes, 0) });
    }
    options.signal.throwIfAborted();
    const index = buildIndex(options.describe, files, sink.partKeys());
    await sink.addIndex(Buffer.from(JSON.stringify(index, null, 2)));
    await sink.close();
    return { parts: sink.parts, index };
  } catch (error) {
    sink.abort(error as Error);
    throw error;
  }
}

function buildIndex(describe: BuildArchiveOptions['describe'], files: (IndexedFile & { group: string })[], partCount: number): ArchiveIndex {
  const byGroup = new Map<string, IndexedFile[]>();
  for (const { group, ...f } of files) {
    const list = byGroup.get(group) ?? [];
    list.push(f);
    byGroup.set(group, list);
  }
  const services = [...byGroup].map(([resourceGroup, groupFiles]) => ({
    resourceGroup,
    name: groupFiles[0]!.path.split('/')[1] ?? resourceGroup,
    files: groupFiles,
    records: groupFiles.reduce((n, f) => n + (f.records ?? 0), 0),
    sizeBytes: groupFiles.reduce((n, f) => n + f.sizeBytes, 0),
  }));
  return {
    ...describe,
    parts: partCount,
    services,
    totals: {
      files: files.length,
      records: services.reduce((n, s) => n + s.records, 0),
      sizeBytes: services.reduce((n, s) => n + s.sizeBytes, 0),
    },
  };
}

/** The part being written, and the ones already uploaded. */
class PartSink {
  readonly parts: BuiltPart[] = [];
  private zip!: ZipWriter;
  private upload!: Promise<{ sizeBytes: number }>;
  private failure: Error | undefined;

  constructor(private readonly options: BuildArchiveOptions) {}

  get full(): boolean {
    return this.zip.bytesWritten >= this.options.partSizeBytes;
  }

  partKeys(): number {
    return this.parts.length + 1;
  }

  open(): void {
    const partIndex = this.parts.length;
    // Blocks of an eighth of a part (64 KiB to 1 MiB) keep small parts close to their size limit.
    this.zip = new ZipWriter({ compressionLevel: this.options.compressionLevel, blockBytes: this.options.partSizeBytes / 8 });
    const upload = this.options.blobs.put(this.options.partKey(partIndex), this.zip.output);
    // A failed upload (disk full, S3 down) must stop the writers rather than leave them waiting on a drain.
    upload.catch((error: Error) => {
      this.failure ??= error;
    });
    this.upload = upload;
  }

  async close(): Promise<void> {
    const partIndex = this.parts.length;
    await this.zip.end();
    const { sizeBytes } = await this.upload;
    this.parts.push({ partIndex, blobKey: this.options.partKey(partIndex), sizeBytes, sha256: this.zip.sha256() });
  }

  async rollOver(): Promise<void> {
    await this.close();
    this.open();
  }

  abort(error: Error): void {
    this.zip?.abort(error);
  }

  async addIndex(content: Buffer): Promise<void> {
    await this.zip.addBuffer(INDEX_FILE, content, this.options.mtime);
  }

  async writeRecords(file: Extract<ArchiveFile, { kind: 'records' }>): Promise<IndexedFile[]> {
    const serializer = serializerFor(file.format);
    const pool = this.options.shardPool;
    // Threads pay off for long files only, and a deflated range can only go into a deflated entry.
    if (pool && file.shards && file.shards.count >= MIN_SHARDED_RECORDS && serializer.splittable && this.options.compressionLevel > 0) {
      return this.writeRecordsInRanges(file, file.shards, serializer, pool);
    }
    const out = await this.startFile(file, serializer);
    let first = true;
    // Called once a block has gone to deflate (about every MiB): the moment to see a cancel or a full part.
    const afterBlock = async () => {
      this.checkFailure();
      this.options.signal.throwIfAborted();
      if (serializer.splittable && this.full) {
        await out.continueInNextPart();
        first = true;
      }
    };

    /** Writes one record; a promise only when a full block was handed to deflate (then wait for it). */
    const writeRecord = (value: unknown): Promise<void> | undefined => {
      const handedOff = out.entry.writeText(serializer.record(value, first));
      first = false;
      out.records++;
      return handedOff?.then(afterBlock);
    };
    // Sources that yield plainly (arrays, generators) are iterated without a promise per record.
    const source = file.records;
    const batches = recordBatchesOf(source);
    if (batches) {
      for await (const batch of batches) {
        for (const value of batch) {
          const handedOff = writeRecord(value);
          if (handedOff) await handedOff;
        }
      }
    } else if (Symbol.iterator in source) {
      for (const value of source) {
        const handedOff = writeRecord(value);
        if (handedOff) await handedOff; // `await undefined` would still cost a microtask per record
      }
    } else {
      for await (const value of source) {
        const handedOff = writeRecord(value);
        if (handedOff) await handedOff;
      }
    }
    return out.finish();
  }

  /**
   * Writes a file whose records the pool's threads make in ranges, several at once; this thread puts the
   * ranges in order between the header and footer, joined by the format's separator. The file's bytes are
   * the same as `writeRecords` would write; only the deflate stream's block boundaries differ.
   */
  private async writeRecordsInRanges(
    file: Extract<ArchiveFile, { kind: 'records' }>,
    shards: RecordShards,
    serializer: RecordSerializer,
    pool: ShardPool,
  ): Promise<IndexedFile[]> {
    // About a block's worth of text a range: a part's size is checked between ranges, as between blocks.
    const rangeBytes = Math.max(64 * 1024, Math.min(2 * 1024 * 1024, this.options.partSizeBytes / 8));
    const ahead: Promise<ShardResult>[] = [];
    const separator = serializer.separator ? deflatedText(serializer.separator, this.options.compressionLevel) : undefined;
    let next = 0;
    let madeRecords = 0;
    let madeBytes = 0;
    let stopped = false;
    const dispatch = () => {
      while (!stopped && ahead.length < pool.threads * RANGES_AHEAD_PER_THREAD && next < shards.count) {
        const n = madeRecords === 0 ? FIRST_RANGE_RECORDS : Math.max(1, Math.round(rangeBytes / (madeBytes / madeRecords)));
        const to = Math.min(shards.count, next + n);
        const range = pool.run({
          module: shards.module,
          exportName: shards.exportName,
          args: shards.args,
          from: next,
          to,
          format: file.format,
          level: this.options.compressionLevel,
        });
        // A finished range frees its thread: the next one is queued now, not when this thread reaches it in
        // order (it may be waiting on an older range, or not be scheduled at all while both cores deflate).
        // Awaited in order below, so a failure seen here first is not unhandled.
        range.then(dispatch, () => {});
        ahead.push(range);
        next = to;
      }
    };

    const out = await this.startFile(file, serializer);
    dispatch();
    try {
      await this.stitchRanges(out, ahead, separator, dispatch, (range) => {
        madeRecords += range.records;
        madeBytes += range.uncompressedBytes;
      });
    } finally {
      stopped = true; // on a failure, no more ranges are started for this file
    }
    return out.finish();
  }

  private async stitchRanges(
    out: PiecedFile,
    ahead: Promise<ShardResult>[],
    separator: DeflatedRange | undefined,
    dispatch: () => void,
    made: (range: ShardResult) => void,
  ): Promise<void> {
    while (ahead.length > 0) {
      const range = await ahead.shift()!;
      this.checkFailure();
      this.options.signal.throwIfAborted();
      made(range);
      dispatch();
      if (out.records > 0 && separator) await out.entry.writeDeflated(separator);
      await out.entry.writeDeflated(range);
      out.records += range.records;
      if (this.full && ahead.length > 0) await out.continueInNextPart();
    }
  }

  /** Opens a records file: its first piece, in the current part. */
  private async startFile(file: Extract<ArchiveFile, { kind: 'records' }>, serializer: RecordSerializer): Promise<PiecedFile> {
    const out = new PiecedFile(file, serializer, {
      openEntry: (path) => this.openEntry(path),
      rollOver: () => this.rollOver(),
      partNumber: () => this.parts.length + 1,
    });
    await out.open();
    return out;
  }

  async writeBytes(file: Extract<ArchiveFile, { kind: 'bytes' }>): Promise<IndexedFile> {
    const entry = await this.openEntry(file.path);
    for await (const chunk of file.content) {
      const handedOff = entry.write(chunk);
      if (handedOff) await handedOff;
      this.checkFailure();
      this.options.signal.throwIfAborted();
    }
    await entry.end();
    return {
      path: `${ARCHIVE_ROOT}/${file.path}`,
      part: this.parts.length + 1,
      format: 'bytes',
      sizeBytes: entry.bytesIn,
      ...(file.records !== undefined ? { records: file.records } : {}),
    };
  }

  private openEntry(path: string): Promise<ZipEntryWriter> {
    return this.zip.openEntry(`${ARCHIVE_ROOT}/${path}`, this.options.mtime);
  }

  private checkFailure(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * One records file as it is written: the entry being filled and, when parts fill up mid-file, the pieces
 * (`Data.json`, `Data-2.json`, ...) each closed cleanly with the format's footer, as the index lists them.
 */
class PiecedFile {
  readonly written: IndexedFile[] = [];
  entry!: ZipEntryWriter;
  /** Records in the current piece. */
  records = 0;
  private piece = 1;
  private path: string;

  constructor(
    private readonly file: Extract<ArchiveFile, { kind: 'records' }>,
    private readonly serializer: RecordSerializer,
    private readonly sink: { openEntry(path: string): Promise<ZipEntryWriter>; rollOver(): Promise<void>; partNumber(): number },
  ) {
    this.path = file.path;
  }

  async open(): Promise<void> {
    this.entry = await this.sink.openEntry(this.path);
    this.records = 0;
    await this.entry.writeText(this.serializer.header);
  }

  /** The part is full mid-file: close this piece and continue the file in the next part. */
  async continueInNextPart(): Promise<void> {
    await this.closePiece();
    await this.sink.rollOver();
    this.path = continuationPath(this.file.path, ++this.piece);
    await this.open();
  }

  async finish(): Promise<IndexedFile[]> {
    await this.closePiece();
    return this.written;
  }

  private async closePiece(): Promise<void> {
    await this.entry.writeText(this.serializer.footer);
    await this.entry.end();
    const { format } = this.file;
    this.written.push({
      path: `${ARCHIVE_ROOT}/${this.path}`,
      part: this.sink.partNumber(),
      format: indexedFormat(format),
      sizeBytes: this.entry.bytesIn,
      records: this.records,
      ...(format.type === 'json-array' && format.wrapper ? { listKey: format.wrapper.key } : {}),
    });
  }
}

/** What a file is on disk, for the index: a list wrapped in an object (GeoJSON, Chrome's files) is a JSON object. */
function indexedFormat(format: RecordFormat): IndexedFile['format'] {
  return format.type === 'json-array' && format.wrapper ? 'json-object' : format.type;
}
