import type { Readable } from 'node:stream';

export interface BlobStat {
  sizeBytes: number;
  /** Strong validator, quoted as HTTP wants it. */
  etag: string;
  modifiedAt: Date;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /** File name the browser should save the download as (Content-Disposition). */
  downloadName: string;
}

/** Where archive files live: a local folder embedded, S3-compatible storage at scale. */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Streams `body` into the object `key`; the object becomes visible only once fully written. */
  put(key: string, body: Readable): Promise<{ sizeBytes: number }>;
  stat(key: string): Promise<BlobStat | undefined>;
  /** Reads the object, or the inclusive byte range `[start, end]` of it. */
  read(key: string, range?: { start: number; end: number }): Promise<Readable>;
  delete(key: string): Promise<void>;
  /**
   * Deletes every object whose key starts with `prefix`, and every upload under it that never finished (the
   * partial file or multipart upload of a process that died while writing); returns how many of both.
   */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys of the objects whose key starts with `prefix` (operators' checks and tests; not on any hot path). */
  list(prefix: string): Promise<string[]>;
  /** A URL that fetches this one object until it expires, and nothing else. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
  close?(): Promise<void>;
}
