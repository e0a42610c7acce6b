import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import yazl from 'yazl';

/**
 * One ZIP file being streamed to its destination. The only module that knows yazl. Entries are written one
 * after another; each is a writable stream whose bytes yazl deflates (in zlib's thread pool, so
 * compression runs beside serialization on the main thread). ZIP64 is used where sizes need it.
 */
export class ZipWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly hash = createHash('sha256');
  private written = 0;
  /** The archive bytes, to be consumed by the blob store. */
  readonly output: Readable;

  constructor(private readonly compressionLevel: number) {
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.written += chunk.length;
        this.hash.update(chunk);
        done(null, chunk);
      },
    });
    this.zip.outputStream.on('error', (e: Error) => tap.destroy(e));
    // The consumer (a blob store's upload) may attach its own handlers only after an await; until then an
    // abort must not surface as an unhandled 'error' event. The consumer still sees the stream destroyed.
    tap.on('error', () => {});
    this.output = this.zip.outputStream.pipe(tap);
  }

  /** Compressed bytes produced so far (trails what was written by deflate's buffering). */
  get bytesWritten(): number {
    return this.written;
  }

  /** Starts an entry; write its content to the returned stream and end it. */
  openEntry(pathInZip: string, mtime: Date): PassThrough {
    const entry = new PassThrough({ highWaterMark: 256 * 1024 });
    this.zip.addReadStream(entry, pathInZip, {
      mtime,
      compress: this.compressionLevel > 0,
      ...(this.compressionLevel > 0 ? { compressionLevel: this.compressionLevel } : {}),
    });
    return entry;
  }

  addBuffer(pathInZip: string, content: Buffer, mtime: Date): void {
    this.zip.addBuffer(content, pathInZip, {
      mtime,
      compress: this.compressionLevel > 0,
      ...(this.compressionLevel > 0 ? { compressionLevel: this.compressionLevel } : {}),
    });
  }

  /** Finishes the central directory; the output stream ends after it. */
  end(): void {
    this.zip.end();
  }

  /** Hex SHA-256 of the whole file; valid once `output` has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Abandons the file: the destination sees an error rather than a truncated archive. */
  abort(reason: Error): void {
    this.output.destroy(reason);
  }
}
