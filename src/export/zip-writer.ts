import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { crc32, crc32Combine } from './crc32.js';
import { DEFLATE_MEM_LEVEL } from './deflate-options.js';
import { centralDirectoryRecord, dataDescriptor, endOfCentralDirectory, localHeader, newRecord, type EntryRecord } from './zip-records.js';

/**
 * One ZIP file being streamed to its destination, with each entry's deflate stream compressed in parallel.
 *
 * Why not a ZIP library: yazl (used before) pipes each entry through one zlib stream, so an entry is
 * deflated on one thread-pool thread, and it computes CRC-32 in JavaScript on the main thread; an export
 * of one big file then runs at one core's deflate speed at best. Here an entry's bytes are cut into blocks
 * and each block is deflated on its own in zlib's thread pool, pigz-style: a block is primed with the last
 * 32 KiB of the one before it (deflate's window, so the ratio stays that of one stream) and ends on a
 * sync flush (byte-aligned, no final bit), and the entry's last block ends the stream. The blocks
 * concatenated in order are one valid deflate stream. Several blocks are in flight at once, so both
 * cores compress while the main thread serializes and computes CRC-32 (zlib's, in C).
 *
 * The file layout is the one yazl wrote: entries streamed with a data descriptor (general purpose bit 3),
 * UTF-8 names, Info-ZIP universal time in the central directory, ZIP64 records where sizes or offsets
 * need them. The records' bytes are made in zip-records.ts; this file decides when each is written.
 */

/** The window deflate can refer back to: priming a block with this much of the previous one loses nothing. */
const DICTIONARY_BYTES = 32 * 1024;
/** Blocks handed to deflate at once: two compress while the main thread fills the next (two cores busy). */
const MAX_BLOCKS_IN_FLIGHT = 3;
/** Largest block: ~5 ms of deflate, so the pipeline stays short; a part's size is checked per block. */
const MAX_BLOCK_BYTES = 1024 * 1024;
const MIN_BLOCK_BYTES = 64 * 1024;

/**
 * First blocks of finished entries, kept for the next entries to fill. Every file of a small export took a
 * fresh 64 KiB block (and another 128 KiB one when it ended): under 200 initiates/s that was ~300 KB of
 * buffers a job, memory outside V8's heap that is freed only by a collection, and it set off a full
 * collection every ~250 ms (bench/README.md, round 8).
 */
const idleFirstBlocks: Buffer[] = [];
const MAX_IDLE_FIRST_BLOCKS = 8;

export interface ZipWriterOptions {
  compressionLevel: number;
  /**
   * Uncompressed bytes per deflate block. Smaller blocks let a part's size be checked more often; larger
   * ones cost fewer deflate set-ups. Defaults to 1 MiB.
   */
  blockBytes?: number;
}

export class ZipWriter {
  private readonly hash = createHash('sha256');
  private readonly entries: EntryRecord[] = [];
  private readonly out = new ZipOutput();
  private readonly compressionLevel: number;
  private readonly blockBytes: number;
  private offset = 0;
  private current: ZipEntryWriter | undefined;
  /** The archive bytes, to be consumed by the blob store. */
  readonly output: Readable = this.out;

  constructor(options: ZipWriterOptions) {
    this.compressionLevel = options.compressionLevel;
    this.blockBytes = Math.max(MIN_BLOCK_BYTES, Math.min(MAX_BLOCK_BYTES, Math.floor(options.blockBytes ?? MAX_BLOCK_BYTES)));
    // The consumer (a blob store's upload) may attach its own handlers only after an await; until then an
    // abort must not surface as an unhandled 'error' event. The consumer still sees the stream destroyed.
    this.out.on('error', () => {});
  }

  /** Compressed bytes emitted so far (trails what was written by the blocks still compressing). */
  get bytesWritten(): number {
    return this.offset;
  }

  /** Starts an entry. Entries are written one after another: end this one before opening the next. */
  async openEntry(pathInZip: string, mtime: Date): Promise<ZipEntryWriter> {
    if (this.current) throw new Error(`zip: entry ${this.current.name} is still open`);
    const record = newRecord(pathInZip, mtime, this.compressionLevel, this.offset, false);
    this.entries.push(record);
    await this.emit(localHeader(record));
    this.current = new ZipEntryWriter(
      record,
      this.compressionLevel,
      this.blockBytes,
      (b) => this.emit(b),
      () => {
        this.current = undefined;
      },
    );
    return this.current;
  }

  /** A whole entry from memory: compressed at once, its sizes go in the local header (no data descriptor). */
  async addBuffer(pathInZip: string, content: Buffer, mtime: Date): Promise<void> {
    if (this.current) throw new Error(`zip: entry ${this.current.name} is still open`);
    const record = newRecord(pathInZip, mtime, this.compressionLevel, this.offset, true);
    const data = this.compressionLevel > 0 ? await deflateRaw(content, { level: this.compressionLevel, memLevel: DEFLATE_MEM_LEVEL }) : content;
    record.crc32 = crc32(content);
    record.uncompressedSize = content.length;
    record.compressedSize = data.length;
    this.entries.push(record);
    await this.emit(localHeader(record));
    await this.emit(data);
  }

  /** Writes the central directory and ends the output. */
  async end(): Promise<void> {
    if (this.current) throw new Error(`zip: entry ${this.current.name} is still open`);
    const start = this.offset;
    for (const entry of this.entries) await this.emit(centralDirectoryRecord(entry));
    await this.emit(endOfCentralDirectory(this.entries.length, start, this.offset - start, this.offset));
    this.out.push(null);
  }

  /** Hex SHA-256 of the whole file; valid once `output` has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Abandons the file: the destination sees an error rather than a truncated archive. */
  abort(reason: Error): void {
    this.out.destroy(reason);
  }

  private emit(bytes: Buffer): Promise<void> | undefined {
    this.offset += bytes.length;
    this.hash.update(bytes);
    return this.out.write(bytes);
  }
}

/** Part of an entry's deflate stream made elsewhere: see {@link ZipEntryWriter.writeDeflated}. */
export interface DeflatedRange {
  readonly deflated: Buffer;
  readonly crc32: number;
  readonly uncompressedBytes: number;
}

/**
 * A short text as a range of its own (for writeDeflated): what joins two ranges made by worker threads.
 * Made once per file and reused between its ranges: deflating the separator before every range cost a zlib
 * stream set up and torn down each time, ~100 ms of this thread per GB exported.
 */
export function deflatedText(text: string, level: number): DeflatedRange {
  const bytes = Buffer.from(text, 'utf8');
  return {
    deflated: deflateRawSmall(bytes, { level, memLevel: DEFLATE_MEM_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    crc32: crc32(bytes),
    uncompressedBytes: bytes.length,
  };
}

/**
 * One entry's content. `write`/`writeText` return a promise only when they handed a block to deflate:
 * await it (it applies backpressure), and use the moment to check for cancellation or a full part.
 */
export class ZipEntryWriter {
  private block: Buffer;
  private filled = 0;
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private previousTail: Buffer | undefined;
  private readonly inFlight: { input: Buffer; output: Promise<Buffer> }[] = [];
  /** Blocks whose deflate has finished, reused so memory stays flat however long the entry. */
  private readonly spare: Buffer[] = [];
  private ended = false;

  constructor(
    private readonly record: EntryRecord,
    private readonly level: number,
    private readonly blockBytes: number,
    private readonly emit: (bytes: Buffer) => Promise<void> | undefined,
    private readonly onEnd: () => void,
  ) {
    // Small files are the common case: start with a small block (a finished entry's, when one is idle) and
    // double up to the full size.
    this.block = idleFirstBlocks.pop() ?? Buffer.allocUnsafe(Math.min(blockBytes, MIN_BLOCK_BYTES));
  }

  get name(): string {
    return this.record.name;
  }

  /** Uncompressed bytes written to this entry so far. */
  get bytesIn(): number {
    return this.size + this.filled;
  }

  /** Appends UTF-8 text, encoding it straight into the current block. */
  writeText(text: string): Promise<void> | undefined {
    this.assertOpen();
    // A UTF-16 unit encodes to at most 3 bytes: when it surely fits, encode in place.
    if (text.length * 3 <= this.block.length - this.filled) {
      this.filled += this.block.write(text, this.filled);
      return this.filled >= this.block.length ? this.submit(false) : undefined;
    }
    return this.write(Buffer.from(text, 'utf8'));
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    this.assertOpen();
    if (bytes.length <= this.block.length - this.filled) {
      this.block.set(bytes, this.filled);
      this.filled += bytes.length;
      return this.filled >= this.block.length ? this.submit(false) : undefined;
    }
    return this.writeSlowly(bytes);
  }

  /**
   * Appends a range of the entry that was deflated elsewhere (an export worker thread): raw deflate data
   * that ends on a sync flush and refers to nothing before it, with the CRC-32 and length of its input.
   * Whatever text is pending is compressed first, so the entry's bytes stay in order.
   */
  async writeDeflated(range: DeflatedRange): Promise<void> {
    this.assertOpen();
    if (this.level === 0) throw new Error('zip: deflated ranges need a compression level above 0');
    if (this.filled > 0) await this.submit(false);
    while (this.inFlight.length > 0) await this.drainOne();
    this.crc = crc32Combine(this.crc, range.crc32, range.uncompressedBytes);
    this.size += range.uncompressedBytes;
    this.compressed += range.deflated.length;
    // The range did not refer back to the bytes before it, and the block after it must not refer back into
    // it (this thread never saw its bytes): the next block starts without a dictionary.
    this.previousTail = undefined;
    await this.emit(range.deflated);
  }

  /** Ends the entry: the last block closes the deflate stream, then the data descriptor follows. */
  async end(): Promise<void> {
    if (this.ended) throw new Error(`zip: entry ${this.record.name} ended twice`);
    this.ended = true;
    await this.submit(true);
    while (this.inFlight.length > 0) await this.drainOne();
    // Deflate is done with the last block (drained above): a first-size one serves the next entry.
    if (this.block.length === MIN_BLOCK_BYTES && idleFirstBlocks.length < MAX_IDLE_FIRST_BLOCKS) idleFirstBlocks.push(this.block);
    const r = this.record;
    r.crc32 = this.crc;
    r.uncompressedSize = this.size;
    r.compressedSize = this.compressed;
    await this.emit(dataDescriptor(r));
    this.onEnd();
  }

  /**
   * An ended entry's first block serves the next entry, of this archive or another's: a write after end()
   * would land in someone else's file, so it fails instead.
   */
  private assertOpen(): void {
    if (this.ended) throw new Error(`zip: entry ${this.record.name} written after it ended`);
  }

  private async writeSlowly(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.block.length - this.filled);
      this.block.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled >= this.block.length) await this.submit(false);
    }
  }

  /** Hands the filled part of the block to deflate; waits only when too many blocks are in flight. */
  private async submit(last: boolean): Promise<void> {
    const data = this.block.subarray(0, this.filled);
    this.crc = crc32(data, this.crc);
    this.size += data.length;
    if (this.level === 0) {
      this.compressed += data.length;
      // Stored entries are copied: the block buffer is reused below.
      const copy = Buffer.from(data);
      this.filled = 0;
      await this.emit(copy);
      return;
    }
    const options: zlib.ZlibOptions = {
      level: this.level,
      memLevel: DEFLATE_MEM_LEVEL,
      chunkSize: 64 * 1024,
      ...(this.previousTail ? { dictionary: this.previousTail } : {}),
      ...(last ? {} : { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    };
    const compressing = deflateRaw(data, options);
    // Awaited in order below; this only keeps a failure seen before then from counting as unhandled.
    compressing.catch(() => {});
    this.inFlight.push({ input: this.block, output: compressing });
    if (last) {
      // Nothing follows: no tail to keep and no next block to fill (end() recycles this one once drained).
      this.filled = 0;
      return;
    }
    // The block now belongs to deflate (zlib copied the dictionary when it started): its last 32 KiB prime
    // the next block, which is filled in a spare buffer.
    this.previousTail = data.length >= DICTIONARY_BYTES ? data.subarray(data.length - DICTIONARY_BYTES) : tailOf(this.previousTail, data);
    const nextBytes = Math.min(this.blockBytes, this.block.length * 2);
    const spare = this.spare.pop();
    this.block = spare && spare.length === nextBytes ? spare : Buffer.allocUnsafe(nextBytes);
    this.filled = 0;
    while (this.inFlight.length >= MAX_BLOCKS_IN_FLIGHT) await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const { input, output } = this.inFlight[0]!;
    const compressed = await output;
    this.inFlight.shift();
    // Still the dictionary of the block after it until that one starts: only older blocks are reused.
    if (this.previousTail?.buffer !== input.buffer) this.spare.push(input);
    this.compressed += compressed.length;
    await this.emit(compressed);
  }
}

/** The last 32 KiB of the stream when the newest block alone is shorter than that. */
function tailOf(previous: Buffer | undefined, data: Buffer): Buffer {
  if (!previous) return Buffer.from(data);
  const joined = Buffer.concat([previous, data]);
  return joined.subarray(Math.max(0, joined.length - DICTIONARY_BYTES));
}

/**
 * Below this, a block is deflated here and now: zlib's asynchronous call builds a stream for each buffer,
 * which cost more of this thread than compressing a small file (the last block of most entries, and the
 * whole of a small export's files: ~8 % of the server's thread under 200 initiates/s). 16 KiB takes ~0.1 ms.
 */
const DEFLATE_HERE_BELOW = 16 * 1024;

function deflateRaw(data: Buffer, options: zlib.ZlibOptions): Promise<Buffer> {
  if (data.length < DEFLATE_HERE_BELOW) {
    try {
      return Promise.resolve(deflateRawSmall(data, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => zlib.deflateRaw(data, options, (error, result) => (error ? reject(error) : resolve(result))));
}

/**
 * deflateRawSync with an output buffer sized to the input: zlib's own is `chunkSize` (64 KiB here, 16 KiB by
 * default) however small the input, a fresh buffer per call. Deflate grows incompressible input by ~5 bytes
 * per 16 KiB and ends on a few bytes of flush; should the output still not fit, zlib adds a chunk.
 */
function deflateRawSmall(data: Buffer, options: zlib.ZlibOptions): Buffer {
  return zlib.deflateRawSync(data, { ...options, chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, data.length + (data.length >> 8) + 64) });
}

/** A Readable the writer pushes into; `write` resolves once the consumer has room again. */
class ZipOutput extends Readable {
  private waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor() {
    super({ highWaterMark: 1024 * 1024 });
  }

  write(bytes: Buffer): Promise<void> | undefined {
    if (this.destroyed) return Promise.reject(this.errored ?? new Error('zip output closed'));
    if (this.push(bytes)) return undefined;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  override _read(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(error ?? new Error('zip output closed'));
    callback(error);
  }
}
