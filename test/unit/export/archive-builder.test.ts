import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArchive, type ArchiveGroup } from '../../../src/export/index.js';
import type { ArchiveFile } from '../../../src/sources/index.js';
import { readZip, tempBlobStores } from '../../helpers/archive.js';

const store = tempBlobStores('dataport-blobs-');

function group(name: string, files: ArchiveFile[]): ArchiveGroup {
  return {
    name,
    files: (async function* () {
      yield* files;
    })(),
  };
}

const describeJob = { archiveJobId: 'job', exportTime: '2026-01-01T00:00:00.000Z', generator: 'test' };

describe('archive builder', () => {
  it('rolls a long file over into continuation files in new parts; every part is a valid ZIP and the index adds up', async () => {
    const { root, blobs } = store();
    const records = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `record ${i} ${'x'.repeat(i % 97)}`, r: Math.sin(i) }));
    const { parts, index } = await buildArchive({
      groups: [group('g.one', [{ kind: 'records', path: 'One/Data.json', format: { type: 'json-array' }, records }])],
      blobs,
      partKey: (i) => `p/${i}.zip`,
      partSizeBytes: 64 * 1024,
      compressionLevel: 6,
      mtime: new Date(),
      signal: new AbortController().signal,
      describe: describeJob,
    });
    expect(parts.length).toBeGreaterThan(2);
    expect(index.parts).toBe(parts.length);
    let seen = 0;
    const files = index.services[0]!.files;
    for (const part of parts) {
      const entries = await readZip(readFileSync(path.join(root, part.blobKey)));
      for (const entry of entries.filter((e) => !e.name.endsWith('archive_browser.json'))) {
        const listed = files.find((f) => f.path === entry.name)!;
        expect(listed.part).toBe(part.partIndex + 1);
        const values = JSON.parse(entry.content.toString()) as { i: number }[];
        expect(values.length).toBe(listed.records);
        for (const v of values) expect(v.i).toBe(seen++);
      }
    }
    expect(seen).toBe(20_000);
    expect(index.totals.records).toBe(20_000);
    expect(files.map((f) => f.path)).toEqual(files.map((_, n) => (n === 0 ? 'Portability/One/Data.json' : `Portability/One/Data-${n + 1}.json`)));
    // The index goes into the last part only.
    const last = await readZip(readFileSync(path.join(root, parts.at(-1)!.blobKey)));
    expect(last.some((e) => e.name === 'Portability/archive_browser.json')).toBe(true);
  });

  it('stops on abort and leaves no object behind', async () => {
    const { root, blobs } = store();
    const controller = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 50_000) controller.abort(new Error('cancelled'));
        yield { i };
      }
    }
    await expect(
      buildArchive({
        groups: [group('g', [{ kind: 'records', path: 'E.json', format: { type: 'ndjson' }, records: endless() }])],
        blobs,
        partKey: () => 'e.zip',
        partSizeBytes: 2 ** 40,
        compressionLevel: 1,
        mtime: new Date(),
        signal: controller.signal,
        describe: describeJob,
      }),
    ).rejects.toThrow('cancelled');
    expect(await blobs.stat('e.zip')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(root)).toEqual([]);
  });
});
