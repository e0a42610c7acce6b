import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { BlobStat, BlobStore, SignedUrlOptions } from './types.js';
import type { UrlSigner } from './url-signer.js';
import { createDownloadUrls } from './download-urls.js';

export interface FsBlobStoreOptions {
  /** Folder holding the objects. */
  root: string;
  /** Public base URL of this server (read when signing: it may be known only after listen). */
  publicBaseUrl: () => string;
  signer: UrlSigner;
  now?: () => number;
}

/** Flushes a folder's entries to the disk (Linux: a folder is opened read-only to fsync it). */
async function fsyncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The folders whose entries changed when `dir` (made by `mkdir -p`, which returned `created`, the first folder
 * it made) received a new file: `dir` itself and, for every folder mkdir made, the folder holding it.
 */
function foldersToSync(dir: string, created: string | undefined): string[] {
  const dirs = [dir];
  if (created === undefined) return dirs;
  for (let d = dir; d !== path.dirname(created) && d !== path.dirname(d);) {
    d = path.dirname(d);
    dirs.push(d);
  }
  return dirs;
}

/** Objects as files below `root`; downloads are served by this server's `/downloads/` route. */
export function createFsBlobStore(options: FsBlobStoreOptions): BlobStore {
  const now = options.now ?? Date.now;
  const fileOf = (key: string) => {
    const full = path.resolve(options.root, key);
    if (!full.startsWith(path.resolve(options.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return full;
  };
  /** The folder `prefix` lies in (keys are paths; a prefix ending in `/` is a folder) and every path below it. */
  const entriesUnder = async (prefix: string): Promise<{ dir: string; entries: string[] }> => {
    const dir = prefix.endsWith('/') ? fileOf(prefix.slice(0, -1)) : path.dirname(fileOf(prefix));
    try {
      return { dir, entries: await readdir(dir, { recursive: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { dir, entries: [] };
      throw error;
    }
  };
  const downloadUrls = createDownloadUrls({ publicBaseUrl: options.publicBaseUrl, signer: options.signer, now });

  return {
    kind: 'fs',
    async put(key, body: Readable) {
      const file = fileOf(key);
      // Archives are people's data: the service's user alone may read them (folders 0700, files 0600).
      const created = await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Write beside the target and rename: readers never see a half-written object.
      const tmp = `${file}.${randomUUID()}.partial`;
      let sizeBytes = 0;
      body.on('data', (chunk: Buffer) => {
        sizeBytes += chunk.length;
      });
      try {
        // Durable before it is published: the job that points at this file is committed only after put()
        // returns, so a power loss must not leave it pointing at a missing or truncated file. The file's
        // bytes reach the disk before the rename makes it visible (`flush`: the stream fsyncs its own
        // descriptor before closing it, and a failed fsync fails the pipeline; reopening the file to fsync it
        // cost two more trips to the thread pool per archive), and the folder (with any folder mkdir just
        // made, up to the one that already existed) after it, so the new name survives too.
        await pipeline(body, createWriteStream(tmp, { mode: 0o600, flush: true }));
        await rename(tmp, file);
        for (const dir of foldersToSync(path.dirname(file), created)) await fsyncFolder(dir);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      return { sizeBytes };
    },
    async stat(key): Promise<BlobStat | undefined> {
      try {
        const s = await stat(fileOf(key));
        if (!s.isFile()) return undefined;
        return { sizeBytes: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`, modifiedAt: s.mtime };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async read(key, range) {
      return createReadStream(fileOf(key), range ? { start: range.start, end: range.end } : {});
    },
    async delete(key) {
      await unlink(fileOf(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
    async deletePrefix(prefix) {
      const { dir, entries } = await entriesUnder(prefix);
      const base = prefix.endsWith('/') ? '' : path.basename(prefix);
      let n = 0;
      for (const entry of entries.filter((e) => e.startsWith(base))) {
        const full = path.join(dir, entry);
        const s = await stat(full).catch(() => undefined);
        if (s?.isFile()) {
          await rm(full, { force: true });
          n++;
        }
      }
      if (prefix.endsWith('/')) await rm(dir, { recursive: true, force: true });
      return n;
    },
    async list(prefix) {
      const { dir, entries } = await entriesUnder(prefix);
      const keys: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry);
        if (full.endsWith('.partial')) continue; // an upload still being written is not an object yet
        const key = path.relative(path.resolve(options.root), full).split(path.sep).join('/');
        if (!key.startsWith(prefix)) continue;
        if ((await stat(full).catch(() => undefined))?.isFile()) keys.push(key);
      }
      return keys.sort();
    },
    async signedUrl(key, signing: SignedUrlOptions) {
      return downloadUrls.sign(key, signing);
    },
  };
}
