import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import yauzl from 'yauzl';
import { createFsBlobStore, createUrlSigner, type BlobStore } from '../../src/store/index.js';

export interface ZipEntryContent {
  name: string;
  content: Buffer;
}

/** Unzips a whole archive in memory, checking every entry's CRC-32 (yauzl verifies it while reading). */
export async function readZip(buffer: Buffer): Promise<ZipEntryContent[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const entries: ZipEntryContent[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.push({ name: entry.fileName, content: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return entries;
}

export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Local blob stores in temporary folders, each removed after the test that made it. Call once per test file. */
export function tempBlobStores(prefix: string): () => { root: string; blobs: BlobStore } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const root = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(root);
    return { root, blobs: createFsBlobStore({ root, publicBaseUrl: () => 'http://localhost', signer: createUrlSigner(Buffer.alloc(32)) }) };
  };
}
