import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../../src/export/index.js';
import type { ArchiveFile } from '../../../src/sources/index.js';
import { readZip, tempBlobStores } from '../../helpers/archive.js';

// In test/slow, not test/unit: 70,000 entries take tens of seconds on a shared machine.
const store = tempBlobStores('dataport-blobs-');

const describeJob = { archiveJobId: 'job', exportTime: '2026-01-01T00:00:00.000Z', generator: 'test' };

describe('archive builder, ZIP64', () => {
  it('writes ZIP64 when an archive has more than 65,535 entries', async () => {
    const { root, blobs } = store();
    const files: ArchiveFile[] = Array.from({ length: 70_000 }, (_, i) => ({
      kind: 'bytes' as const,
      path: `Many/${i}.txt`,
      content: (async function* () {
        yield Buffer.from(String(i));
      })(),
    }));
    const { parts, index } = await buildArchive({
      groups: [
        {
          name: 'g.many',
          files: (async function* () {
            yield* files;
          })(),
        },
      ],
      blobs,
      partKey: () => 'many.zip',
      partSizeBytes: 2 ** 40,
      compressionLevel: 0,
      mtime: new Date(),
      signal: new AbortController().signal,
      describe: describeJob,
    });
    expect(parts).toHaveLength(1);
    const buffer = readFileSync(path.join(root, 'many.zip'));
    // ZIP64 end of central directory record signature.
    expect(buffer.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const entries = await readZip(buffer);
    expect(entries).toHaveLength(70_001);
    expect(entries[69_999]!.content.toString()).toBe('69999');
    expect(index.totals.files).toBe(70_000);
  });
});
