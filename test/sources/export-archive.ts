import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { waitForState, type TestDataport } from '../helpers/dataport.js';

export interface ExportedArchive {
  state: string;
  /** Entry name (without `Portability/`) → content. */
  files: Map<string, Buffer>;
  jobId: string;
}

/**
 * Runs one export the way a client does — googleapis initiate, poll, download every part — and returns
 * the archive's files.
 */
export async function exportThroughApi(
  dp: TestDataport,
  user: string,
  resources: string[],
  window: { startTime?: string; endTime?: string } = {},
): Promise<ExportedArchive> {
  const { api } = await dp.client({ user, resources });
  const { data } = await api.portabilityArchive.initiate({ requestBody: { resources, ...window } });
  const jobId = data.archiveJobId!;
  const state = await waitForState(api, jobId);
  const files = new Map<string, Buffer>();
  if (state.state === 'COMPLETE') {
    for (const url of state.urls ?? []) {
      const { status, body } = await download(url);
      expect(status).toBe(200);
      for (const entry of await readZip(body)) files.set(entry.name.replace(/^Portability\//, ''), entry.content);
    }
  }
  return { state: state.state!, files, jobId };
}

/**
 * Each of `paths` in the archive is byte for byte its checked-in expectation under `fixtures` (named by its
 * path, `/` as `-`); with DATAPORT_WRITE_FIXTURES=1 the expectations are rewritten first (only when a change of
 * output is intended). Compared as text first for a readable diff, then as bytes.
 */
export function expectSameAsFixtures(archive: ExportedArchive, paths: readonly string[], fixtures: string): void {
  for (const name of paths) {
    const written = archive.files.get(name);
    expect(written, name).toBeDefined();
    const expected = path.join(fixtures, name.replace('/', '-'));
    if (process.env.DATAPORT_WRITE_FIXTURES === '1') {
      mkdirSync(path.dirname(expected), { recursive: true });
      writeFileSync(expected, written!);
    }
    expect(written!.toString('utf8'), name).toBe(readFileSync(expected, 'utf8'));
    expect(written!.equals(readFileSync(expected)), name).toBe(true);
  }
}

export const json = (files: Map<string, Buffer>, name: string): any => {
  const content = files.get(name);
  if (!content) throw new Error(`no ${name} in the archive; it has: ${[...files.keys()].join(', ')}`);
  return JSON.parse(content.toString('utf8'));
};

/** RFC 4180 rows (quoted fields with commas, quotes and line breaks), enough to check our CSV. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
