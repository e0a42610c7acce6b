import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Kept in the output folder so a later run can resume an interrupted export or continue incrementally. */
const STATE_FILE = '.dataport-state.json';

export interface InFlightExport {
  jobId: string;
  resources: string[];
  startTime?: string | undefined;
  initiatedAt: string;
  /** Per archive file: what the server said about it, so a resumed download can send If-Range. */
  downloads: Record<string, { etag?: string | undefined; totalBytes?: number | undefined }>;
}

export interface ExportState {
  version: 1;
  /** The API server the state belongs to; another server's state is not reused. */
  server: string;
  /** The last completed export of each resource set (sorted, comma-joined): `--incremental` starts there. */
  completed: Record<string, { exportTime: string; jobId: string; finishedAt: string }>;
  /** An export that has started and not finished: the next run with the same server and resources resumes it. */
  inFlight?: InFlightExport | undefined;
}

export const resourceKey = (resources: readonly string[]) => [...resources].sort().join(',');

export function readExportState(outDir: string, server: string): { state: ExportState; foreign: boolean } {
  const fresh: ExportState = { version: 1, server, completed: {} };
  let text: string;
  try {
    text = readFileSync(path.join(outDir, STATE_FILE), 'utf8');
  } catch {
    return { state: fresh, foreign: false };
  }
  const parsed = JSON.parse(text) as ExportState;
  if (parsed.version !== 1 || typeof parsed.completed !== 'object') {
    throw new Error(`${path.join(outDir, STATE_FILE)} is not a state file this version understands; move it away to start afresh`);
  }
  if (parsed.server !== server) return { state: fresh, foreign: true };
  return { state: parsed, foreign: false };
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function writeExportState(outDir: string, state: ExportState): void {
  mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, STATE_FILE);
  writeFileSync(`${target}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${target}.tmp`, target);
}
