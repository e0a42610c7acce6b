import { createDemoSource, createMemoryFaultLedger, type DemoFault, type FaultLedger } from '../../../src/sources/demo/index.js';
import type { ExportRequest, Source } from '../../../src/sources/types.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

export interface GivenDemo {
  recordsPerGroup?: number;
  faults?: readonly DemoFault[];
  ledger?: FaultLedger;
  now?: () => Date;
}

export function givenDemoSource(options: GivenDemo = {}): Source {
  return createDemoSource({
    recordsPerGroup: options.recordsPerGroup ?? 20,
    faults: options.faults ?? [],
    ledger: options.ledger ?? createMemoryFaultLedger(),
    now: options.now ?? (() => NOW),
  });
}

export function request(group: string, extra: Partial<ExportRequest> = {}): ExportRequest {
  return { userId: 'user-1', group, jobId: 'job-1', signal: new AbortController().signal, ...extra };
}

export type CollectedFile = { kind: 'records'; path: string; format: unknown; records: unknown[] } | { kind: 'bytes'; path: string; bytes: Uint8Array };

/** Reads every file of one group to the end. */
export async function collect(source: Source, req: ExportRequest): Promise<CollectedFile[]> {
  const files: CollectedFile[] = [];
  for await (const file of source.exportGroup(req)) {
    if (file.kind === 'records') {
      const records: unknown[] = [];
      for await (const record of file.records) records.push(record);
      files.push({ kind: 'records', path: file.path, format: file.format, records });
    } else {
      const chunks: Uint8Array[] = [];
      for await (const chunk of file.content) chunks.push(chunk);
      files.push({ kind: 'bytes', path: file.path, bytes: Buffer.concat(chunks) });
    }
  }
  return files;
}

/** The records of a group's first file (which must be a records file). */
export async function mainRecords(source: Source, req: ExportRequest): Promise<Record<string, unknown>[]> {
  const [first] = await collect(source, req);
  if (first?.kind !== 'records') throw new Error(`${req.group}: first file is not records`);
  return first.records as Record<string, unknown>[];
}
