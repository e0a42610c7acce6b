import { formatBytes } from '../parse.js';
import { formatTable } from '../table.js';
import type { UnpackResult } from './unpack.js';

/**
 * The table printed after an export: per resource group (from `archive_browser.json`, which counts records),
 * or per product folder when the archive carries no index (Google's, say).
 */
export function summarizeArchive(parts: readonly UnpackResult[]): string {
  const index = parts.find((p) => p.index)?.index;
  if (index && Array.isArray(index.services)) {
    const rows = index.services.map((s) => [
      s.resourceGroup ?? s.name,
      String(s.files.length),
      s.records === undefined ? '-' : String(s.records),
      formatBytes(s.sizeBytes ?? 0),
    ]);
    const total = index.services.reduce(
      (t, s) => ({ files: t.files + s.files.length, records: t.records + (s.records ?? 0), bytes: t.bytes + (s.sizeBytes ?? 0) }),
      { files: 0, records: 0, bytes: 0 },
    );
    rows.push(['total', String(total.files), String(total.records), formatBytes(total.bytes)]);
    return formatTable(['GROUP', 'FILES', 'RECORDS', 'BYTES'], rows, { alignRight: [1, 2, 3] });
  }
  const folders = new Map<string, { files: number; bytes: number }>();
  for (const part of parts) {
    for (const [name, stats] of part.folders) {
      const sum = folders.get(name) ?? { files: 0, bytes: 0 };
      sum.files += stats.files;
      sum.bytes += stats.bytes;
      folders.set(name, sum);
    }
  }
  const rows = [...folders].map(([name, s]) => [name, String(s.files), '-', formatBytes(s.bytes)]);
  return formatTable(['FOLDER', 'FILES', 'RECORDS', 'BYTES'], rows, { alignRight: [1, 2, 3] });
}
