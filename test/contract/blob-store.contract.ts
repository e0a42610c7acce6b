import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/store/index.js';
import { download } from '../helpers/archive.js';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** Moves the clock the store signs URLs with (the server checking them keeps real time). */
  shiftSigningClock(ms: number): void;
  /** Keys (without the store's own prefix) of uploads under `prefix` that were started and never finished, as the backend itself lists them. */
  unfinishedUploads(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface BlobStoreContractOptions {
  name: string;
  create: () => Promise<BlobStoreUnderTest>;
  /** Set to skip the whole contract; must say why (a missing service, say). */
  skip?: string | undefined;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Bytes that do not compress, in several chunks, so multipart uploads really use more than one part. */
function payload(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

function chunked(buffer: Buffer, chunkBytes = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += chunkBytes) chunks.push(buffer.subarray(i, i + chunkBytes));
  return Readable.from(chunks);
}

/** What every BlobStore must do; called once per implementation (fs, s3). */
export function runBlobStoreContract({ name, create, skip }: BlobStoreContractOptions): void {
  describe.skipIf(skip !== undefined)(`BlobStore contract: ${name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: BlobStoreUnderTest;
    beforeAll(async () => {
      t = await create();
    });
    afterAll(async () => t?.close());

    it('put streams an object in; stat, whole and ranged reads give back the same bytes', async () => {
      const body = payload(11 * 1024 * 1024 + 123); // above S3's 5 MiB minimum part: a real multipart upload
      const { sizeBytes } = await t.store.put('c/roundtrip/a.zip', chunked(body));
      expect(sizeBytes).toBe(body.length);
      const stat = await t.store.stat('c/roundtrip/a.zip');
      expect(stat?.sizeBytes).toBe(body.length);
      expect(stat?.etag).toMatch(/^".+"$/);
      expect((await readAll(await t.store.read('c/roundtrip/a.zip'))).equals(body)).toBe(true);
      const range = await readAll(await t.store.read('c/roundtrip/a.zip', { start: 1000, end: 1999 }));
      expect(range.equals(body.subarray(1000, 2000))).toBe(true);
    });

    it('a missing object → stat undefined; delete of a missing object is not an error', async () => {
      expect(await t.store.stat('c/missing/nothing.zip')).toBeUndefined();
      await t.store.delete('c/missing/nothing.zip');
    });

    it('a body that fails mid-stream → put rejects and no object becomes visible', async () => {
      const failing = new Readable({
        read() {
          this.push(payload(256 * 1024));
          this.destroy(new Error('source broke'));
        },
      });
      await expect(t.store.put('c/failed/a.zip', failing)).rejects.toThrow();
      expect(await t.store.stat('c/failed/a.zip')).toBeUndefined();
      expect(await t.store.list('c/failed/')).toEqual([]);
    });

    it('deletePrefix deletes exactly the objects under the prefix and says how many; list shows what is left', async () => {
      for (const key of ['c/del/job1/1/a.zip', 'c/del/job1/2/b.zip', 'c/del/job10/1/c.zip', 'c/del/job2/1/d.zip']) {
        await t.store.put(key, Readable.from([Buffer.from(key)]));
      }
      expect(await t.store.list('c/del/job1/')).toEqual(['c/del/job1/1/a.zip', 'c/del/job1/2/b.zip']);
      expect(await t.store.deletePrefix('c/del/job1/')).toBe(2);
      expect(await t.store.list('c/del/')).toEqual(['c/del/job10/1/c.zip', 'c/del/job2/1/d.zip']);
      expect(await t.store.deletePrefix('c/del/nothing/')).toBe(0);
      await t.store.delete('c/del/job2/1/d.zip');
      expect(await t.store.list('c/del/')).toEqual(['c/del/job10/1/c.zip']);
    });

    it('deletePrefix also removes an upload that never finished (its worker was killed mid-put)', async () => {
      // More than one S3 part (5 MiB) goes in, then the body stalls: the store holds a started upload.
      const body = new PassThrough();
      const put = t.store.put('c/unfinished/job1/1/a.zip', body).then(
        () => 'completed',
        () => 'failed',
      );
      body.write(payload(6 * 1024 * 1024));
      const deadline = Date.now() + 20_000;
      while ((await t.unfinishedUploads('c/unfinished/')).length === 0) {
        if (Date.now() > deadline) throw new Error('the upload never started');
        await new Promise((r) => setTimeout(r, 100));
      }
      await t.store.put('c/unfinished/job1/1/done.zip', Readable.from([Buffer.from('done')]));
      await t.store.put('c/unfinished/job2/1/kept.zip', Readable.from([Buffer.from('kept')]));
      // As a killed worker would, the stalled put never aborts its own upload: deletePrefix must.
      expect(await t.store.deletePrefix('c/unfinished/job1/')).toBe(2);
      expect(await t.unfinishedUploads('c/unfinished/')).toEqual([]);
      expect(await t.store.list('c/unfinished/')).toEqual(['c/unfinished/job2/1/kept.zip']);
      body.destroy(new Error('worker gone'));
      expect(await put).toBe('failed');
      expect(await t.store.list('c/unfinished/')).toEqual(['c/unfinished/job2/1/kept.zip']);
    });

    it('a signed URL downloads the object under its name, resumes with Range, and opens nothing else', async () => {
      const body = payload(300_000);
      await t.store.put('c/signed/job/1/dataport-abc.zip', Readable.from([body]));
      const url = await t.store.signedUrl('c/signed/job/1/dataport-abc.zip', { expiresInSeconds: 600, downloadName: 'dataport-abc.zip' });
      const whole = await download(url);
      expect(whole.status).toBe(200);
      expect(whole.body.equals(body)).toBe(true);
      expect(whole.headers.get('content-disposition')).toBe('attachment; filename="dataport-abc.zip"');
      expect(whole.headers.get('content-type')).toBe('application/zip');
      const etag = whole.headers.get('etag')!;
      expect(etag).toBeTruthy();
      const tail = await download(url, { range: 'bytes=100000-', 'if-range': etag });
      expect(tail.status).toBe(206);
      expect(tail.body.equals(body.subarray(100_000))).toBe(true);

      // Any change to the URL breaks its signature: another object, another name, a forged signature.
      await t.store.put('c/signed/job/1/other.zip', Readable.from([Buffer.from('secret')]));
      const other = url.replace('dataport-abc.zip?', 'other.zip?');
      expect(other).not.toBe(url);
      expect((await download(other)).status).toBe(403);
      const renamed = url.replace(/dataport-abc\.zip(?=[^?]*$)|filename%3D%22dataport-abc\.zip/, (m) => m.replace('abc', 'xyz'));
      expect(renamed).not.toBe(url);
      expect((await download(renamed)).status).toBe(403);
      const forged = new URL(url);
      for (const param of ['signature', 'X-Amz-Signature']) {
        const v = forged.searchParams.get(param);
        if (v) forged.searchParams.set(param, `${v.slice(0, -4)}${v.endsWith('0000') ? '1111' : '0000'}`);
      }
      expect((await download(forged.toString())).status).toBe(403);
    });

    it('a signed URL past its expiry → 403', async () => {
      await t.store.put('c/expired/a.zip', Readable.from([Buffer.from('old')]));
      t.shiftSigningClock(-2 * 3_600_000);
      let url: string;
      try {
        url = await t.store.signedUrl('c/expired/a.zip', { expiresInSeconds: 60, downloadName: 'a.zip' });
      } finally {
        t.shiftSigningClock(2 * 3_600_000);
      }
      expect((await download(url)).status).toBe(403);
    });
  });
}
