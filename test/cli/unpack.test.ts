import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAndUnpack } from '../../src/cli/export/unpack.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dataport-unpack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A ZIP with stored (uncompressed) entries, so a byte of content can be flipped without breaking the structure. */
async function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name, { compress: false });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('verifyAndUnpack', () => {
  it('unpacks entries, counts them per product folder and reads archive_browser.json', async () => {
    const file = path.join(dir, 'good.zip');
    writeFileSync(
      file,
      await zipOf({
        'Portability/archive_browser.json': JSON.stringify({
          services: [{ resourceGroup: 'chrome.history', name: 'Chrome', files: [{}], records: 2, sizeBytes: 9 }],
        }),
        'Portability/Chrome/History.json': '[{},{}]',
      }),
    );
    const result = await verifyAndUnpack(file, path.join(dir, 'good'));
    expect(result.entries).toBe(2);
    expect(result.folders.get('Chrome')).toEqual({ files: 1, bytes: 7 });
    expect(result.index?.services[0]?.resourceGroup).toBe('chrome.history');
    expect(readFileSync(path.join(dir, 'good', 'Portability', 'Chrome', 'History.json'), 'utf8')).toBe('[{},{}]');
  });

  it('a flipped byte fails the CRC-32 check, naming the entry', async () => {
    const bytes = await zipOf({ 'Portability/Chrome/History.json': 'the original content' });
    const at = bytes.indexOf('original');
    bytes[at] = 'O'.charCodeAt(0);
    const file = path.join(dir, 'corrupt.zip');
    writeFileSync(file, bytes);
    await expect(verifyAndUnpack(file, path.join(dir, 'corrupt'))).rejects.toThrow(/"Portability\/Chrome\/History.json" is corrupt \(CRC-32/);
  });
});
