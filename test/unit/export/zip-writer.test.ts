import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../../src/export/zip-writer.js';
import { readZip } from '../../helpers/archive.js';

async function collect(zip: ZipWriter): Promise<Buffer> {
  const chunks: Buffer[] = [];
  zip.output.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve, reject) => {
    zip.output.on('end', resolve);
    zip.output.on('error', reject);
  });
  return Buffer.concat(chunks);
}

/** Text that compresses like real exports, with non-ASCII characters straddling block boundaries. */
function sampleText(bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const s = `{"i":${i},"title":"Searched for café ${i % 977} — ünïcödé ${'x'.repeat(i % 31)}","time":"2026-01-${String((i % 28) + 1).padStart(2, '0')}"},\n`;
    parts.push(s);
    n += Buffer.byteLength(s);
  }
  return parts.join('');
}

describe('zip writer', () => {
  it('an entry deflated as many parallel blocks reads back byte for byte, with a valid CRC, in yauzl and Info-ZIP unzip', async () => {
    const zip = new ZipWriter({ compressionLevel: 6, blockBytes: 64 * 1024 });
    const done = collect(zip);
    const text = sampleText(3 * 1024 * 1024);
    const big = await zip.openEntry('Portability/Big.json', new Date('2026-01-01T00:00:00Z'));
    // Written as many small texts (the serializer's way) and one large buffer (the bytes-file way).
    for (let at = 0; at < text.length; at += 1000) {
      const pending = big.writeText(text.slice(at, at + 1000));
      if (pending) await pending;
    }
    await big.write(Buffer.from(text));
    await big.end();
    const empty = await zip.openEntry('Portability/Empty.json', new Date());
    await empty.end();
    await zip.addBuffer('Portability/index.json', Buffer.from('{"a":1}'), new Date());
    await zip.end();
    const archive = await done;

    const entries = await readZip(archive);
    expect(entries.map((e) => e.name)).toEqual(['Portability/Big.json', 'Portability/Empty.json', 'Portability/index.json']);
    expect(entries[0]!.content.toString('utf8')).toBe(text + text);
    expect(entries[1]!.content.length).toBe(0);
    expect(entries[2]!.content.toString()).toBe('{"a":1}');
    // One deflate stream: the ratio is that of a single stream, not of independent blocks.
    expect(archive.length).toBeLessThan(Buffer.byteLength(text) / 4);

    const unzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' });
    if (unzip.status === 0) {
      const dir = mkdtempSync(path.join(tmpdir(), 'dataport-zip-'));
      try {
        writeFileSync(path.join(dir, 'a.zip'), archive);
        const test = spawnSync('unzip', ['-t', path.join(dir, 'a.zip')], { encoding: 'utf8' });
        expect(test.stdout).toContain('No errors detected');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('level 0 stores entries uncompressed', async () => {
    const zip = new ZipWriter({ compressionLevel: 0 });
    const done = collect(zip);
    const entry = await zip.openEntry('a.txt', new Date());
    await entry.writeText('hello, world');
    await entry.end();
    await zip.end();
    const archive = await done;
    expect(archive.includes(Buffer.from('hello, world'))).toBe(true);
    expect((await readZip(archive))[0]!.content.toString()).toBe('hello, world');
  });

  it('a sync-flushed block followed by the final block inflates as one raw deflate stream', async () => {
    const zip = new ZipWriter({ compressionLevel: 9, blockBytes: 64 * 1024 });
    const done = collect(zip);
    const text = sampleText(300 * 1024);
    const entry = await zip.openEntry('t.txt', new Date());
    await entry.write(Buffer.from(text));
    await entry.end();
    await zip.end();
    const archive = await done;
    // Local header: 30 bytes + name; the data runs up to the data descriptor.
    const start = 30 + 't.txt'.length;
    const end = archive.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]), start);
    expect(inflateRawSync(archive.subarray(start, end)).toString()).toBe(text);
  });

  it('entries of two archives written in turns read back byte for byte, at every size around the block edges', async () => {
    // A finished entry's first block is filled by the next entry of any archive: an entry must never see
    // another's bytes, nor lose its block while deflate still reads it (16 KiB and up is deflated off-thread).
    const sizes = [0, 1, 100, 16 * 1024 - 1, 16 * 1024, 20_000, 32 * 1024, 40_000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000];
    for (const level of [6, 0]) {
      const zips = [new ZipWriter({ compressionLevel: level }), new ZipWriter({ compressionLevel: level })];
      const done = zips.map(collect);
      // Made beforehand, so that nothing slow runs between one entry's end and the next one's writes.
      const written = [0, 1].map((z) => sizes.map((size) => sampleText(size + z * 7919).slice(z * 13, z * 13 + size)));
      const write = async (z: number, i: number) => {
        const entry = await zips[z]!.openEntry(`e${i}.txt`, new Date());
        const text = written[z]![i]!;
        for (let at = 0; at < text.length; at += 5000) await entry.writeText(text.slice(at, at + 5000));
        return entry;
      };
      for (const i of sizes.keys()) {
        // The first archive's entry is still ending (its last block may be compressing) while the second
        // archive opens an entry and fills its first block.
        const ending = (await write(0, i)).end();
        const second = await write(1, i);
        await ending;
        await second.end();
      }
      await Promise.all(zips.map((z) => z.end()));
      const archives = await Promise.all(done);
      for (const [z, archive] of archives.entries()) {
        const entries = await readZip(archive);
        expect(entries.map((e) => e.content.toString('utf8'))).toEqual(written[z]);
      }
    }
  });

  it('a write to an ended entry fails, leaving the block the next entry fills untouched', async () => {
    const zip = new ZipWriter({ compressionLevel: 6 });
    const done = collect(zip);
    const first = await zip.openEntry('a.txt', new Date());
    await first.writeText('first');
    await first.end();
    const next = await zip.openEntry('b.txt', new Date());
    await next.writeText('second');
    expect(() => first.writeText('late')).toThrow('zip: entry a.txt written after it ended');
    expect(() => first.write(Buffer.from('late'))).toThrow('written after it ended');
    await expect(first.writeDeflated({ deflated: Buffer.alloc(0), crc32: 0, uncompressedBytes: 0 })).rejects.toThrow('written after it ended');
    await next.end();
    await zip.end();
    expect((await readZip(await done)).map((e) => e.content.toString())).toEqual(['first', 'second']);
  });
});
