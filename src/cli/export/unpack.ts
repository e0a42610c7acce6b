import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/** What `archive_browser.json` says (Dataport's index; Google's archives may carry their own or none). */
export interface ArchiveIndexSummary {
  services: { resourceGroup?: string; name: string; files: unknown[]; records?: number; sizeBytes?: number }[];
}

export interface UnpackResult {
  entries: number;
  /** Uncompressed bytes written. */
  bytes: number;
  /** Per top-level product folder (`Portability/<folder>/...`): files and bytes, for archives without an index. */
  folders: Map<string, { files: number; bytes: number }>;
  index: ArchiveIndexSummary | undefined;
}

/**
 * Verifies and unpacks one ZIP part into `destDir`: every entry's CRC-32 is computed while it is written and
 * compared with the central directory (yauzl checks sizes, not CRCs), and entry names that would escape
 * `destDir` are refused.
 */
export async function verifyAndUnpack(zipFile: string, destDir: string): Promise<UnpackResult> {
  const zip = await yauzl.openPromise(zipFile, { validateEntrySizes: true, strictFileNames: false });
  const result: UnpackResult = { entries: 0, bytes: 0, folders: new Map(), index: undefined };
  const root = path.resolve(destDir);
  try {
    for await (const entry of entriesOf(zip)) {
      const target = path.resolve(root, entry.fileName);
      if (!target.startsWith(`${root}${path.sep}`))
        throw new Error(`${path.basename(zipFile)}: entry "${entry.fileName}" would be written outside the output folder`);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(path.dirname(target), { recursive: true });
      let crc = 0;
      let size = 0;
      const isIndex = /(^|\/)archive_browser\.json$/.test(entry.fileName);
      const indexChunks: Buffer[] = [];
      const check = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          crc = crc32(chunk, crc);
          size += chunk.length;
          if (isIndex) indexChunks.push(chunk);
          done(null, chunk);
        },
      });
      await pipeline(await zip.openReadStreamPromise(entry), check, createWriteStream(target));
      if (crc >>> 0 !== entry.crc32 >>> 0) {
        throw new Error(`${path.basename(zipFile)}: "${entry.fileName}" is corrupt (CRC-32 ${hex(crc)}, expected ${hex(entry.crc32)})`);
      }
      result.entries++;
      result.bytes += size;
      const folder = entry.fileName.split('/').slice(1, 2)[0] ?? entry.fileName;
      const stats = result.folders.get(folder) ?? { files: 0, bytes: 0 };
      stats.files++;
      stats.bytes += size;
      result.folders.set(folder, stats);
      if (isIndex) {
        try {
          result.index = JSON.parse(Buffer.concat(indexChunks).toString('utf8')) as ArchiveIndexSummary;
        } catch {
          result.index = undefined;
        }
      }
    }
  } finally {
    zip.close();
  }
  return result;
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

async function* entriesOf(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(undefined);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}
