import { createWriteStream, existsSync, renameSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseErrorResponse } from '../../client/index.js';
import type { TransferProgress } from './progress.js';

export interface SavedDownload {
  etag?: string | undefined;
  totalBytes?: number | undefined;
}

export interface DownloadResult {
  file: string;
  totalBytes: number;
  /** Bytes already on disk from an earlier, interrupted run (0 when the download started afresh). */
  resumedFromByte: number;
  /** Bytes transferred by this run. */
  transferredBytes: number;
}

export interface DownloadOptions {
  signal: AbortSignal;
  progress: TransferProgress;
  /** Bytes per second at most (like curl's --limit-rate); unset: as fast as it comes. */
  limitRateBytes?: number | undefined;
  /** Told the object's ETag and size as soon as the server answers, so they outlive an interruption. */
  onHeaders: (saved: SavedDownload) => void;
}

/**
 * The file name an archive URL should be saved under, known before the request so a `.part` file from an
 * earlier run can be found: Dataport's signed URLs carry `name=`; otherwise the URL path's last segment.
 */
export function archiveFileName(url: string, index: number): string {
  const parsed = new URL(url);
  const candidate = parsed.searchParams.get('name') ?? decodeURIComponent(parsed.pathname.split('/').at(-1) ?? '');
  const safe = candidate.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return safe === '' ? `archive-${String(index + 1).padStart(3, '0')}.zip` : safe;
}

/**
 * Downloads `url` into `dir/name`, resuming from `dir/name.part` when an earlier run was interrupted: it asks
 * for the rest with `Range`, guarded by `If-Range` with the ETag seen then, so a changed object is fetched
 * whole instead of spliced. The size must match what the server announced.
 */
export async function downloadArchive(
  url: string,
  dir: string,
  name: string,
  saved: SavedDownload | undefined,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const file = path.join(dir, name);
  const partFile = `${file}.part`;
  if (existsSync(file) && saved?.totalBytes !== undefined && statSync(file).size === saved.totalBytes) {
    return { file, totalBytes: saved.totalBytes, resumedFromByte: saved.totalBytes, transferredBytes: 0 };
  }
  let offset = existsSync(partFile) ? statSync(partFile).size : 0;
  const headers: Record<string, string> = {};
  // Without the ETag of the first attempt there is no safe way to splice; start over.
  if (offset > 0 && saved?.etag) {
    headers.range = `bytes=${offset}-`;
    headers['if-range'] = saved.etag;
  } else {
    offset = 0;
  }

  const response = await fetch(url, { headers, signal: options.signal });
  let totalBytes: number;
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset)
      throw new Error(`${name}: the server answered a different range (${response.headers.get('content-range')}) than the ${offset}- asked for`);
    totalBytes = Number(range[3]);
  } else if (response.status === 416 && offset > 0) {
    // Nothing after `offset`: the earlier run had everything but was stopped before renaming.
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    await response.body?.cancel();
    if (total && Number(total[1]) === offset) {
      renameSync(partFile, file);
      return { file, totalBytes: offset, resumedFromByte: offset, transferredBytes: 0 };
    }
    truncateSync(partFile, 0);
    return downloadArchive(url, dir, name, undefined, options);
  } else if (response.ok) {
    // A full answer: the server ignored the range (the object changed, or it does not do ranges).
    offset = 0;
    totalBytes = Number(response.headers.get('content-length') ?? NaN);
  } else {
    const error = parseErrorResponse(response.status, await response.text());
    throw new Error(`downloading ${name}: ${error.message} (HTTP ${response.status})`);
  }
  if (!response.body) throw new Error(`downloading ${name}: the server sent no body`);
  options.onHeaders({ etag: response.headers.get('etag') ?? undefined, totalBytes: Number.isFinite(totalBytes) ? totalBytes : undefined });

  const bar = options.progress.begin(name, Number.isFinite(totalBytes) ? totalBytes : 0, offset);
  let transferred = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      transferred += chunk.length;
      bar.advance(chunk.length);
      done(null, chunk);
    },
  });
  const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  const sink = createWriteStream(partFile, { flags: offset > 0 ? 'a' : 'w' });
  if (options.limitRateBytes) await pipeline(source, rateLimiter(options.limitRateBytes), counter, sink, { signal: options.signal });
  else await pipeline(source, counter, sink, { signal: options.signal });
  const size = statSync(partFile).size;
  if (Number.isFinite(totalBytes) && size !== totalBytes) {
    throw new Error(`${name}: ${size} bytes on disk, but the server announced ${totalBytes}; run again to resume`);
  }
  bar.finish();
  renameSync(partFile, file);
  return { file, totalBytes: size, resumedFromByte: offset, transferredBytes: transferred };
}

/** Passes at most `bytesPerSecond` on average, in slices small enough to keep the pace smooth. */
function rateLimiter(bytesPerSecond: number): Transform {
  const started = Date.now();
  let passed = 0;
  const slice = Math.max(1024, Math.min(64 * 1024, Math.floor(bytesPerSecond / 4)));
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      (async () => {
        for (let i = 0; i < chunk.length; i += slice) {
          const piece = chunk.subarray(i, i + slice);
          passed += piece.length;
          const due = started + (passed / bytesPerSecond) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
          this.push(piece);
        }
      })().then(() => done(), done);
    },
  });
}
