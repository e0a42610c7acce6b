import type { DemoFault } from '../sources/demo/index.js';
import { emulatorSettings, type Db } from '../store/index.js';

/** What a server recorded at start about its demo source: the emulator controls act only when it is on. */
export interface DemoSourceStatus {
  enabled: boolean;
  /** The server's `DATAPORT_DEMO_FAULTS`, fixed for its lifetime. */
  configuredFaults: string;
  /** Emulated time at which the server recorded this. */
  recordedAt: string;
}

export async function recordDemoSourceStatus(db: Db, status: Omit<DemoSourceStatus, 'recordedAt'>, now: number): Promise<void> {
  const value: DemoSourceStatus = { ...status, recordedAt: new Date(now).toISOString() };
  await emulatorSettings.writeSetting(db, 'demo_source', JSON.stringify(value), now);
}

/** undefined when no server has started on this database since migration 0004. */
export async function readDemoSourceStatus(db: Db): Promise<DemoSourceStatus | undefined> {
  const text = await emulatorSettings.readSetting(db, 'demo_source');
  return text === undefined ? undefined : (JSON.parse(text) as DemoSourceStatus);
}

export async function readClockOffsetMs(db: Db): Promise<number> {
  const text = await emulatorSettings.readSetting(db, 'clock_offset_ms');
  const offset = Number(text ?? 0);
  return Number.isFinite(offset) ? offset : 0;
}

export async function writeClockOffsetMs(db: Db, offsetMs: number, now: number): Promise<void> {
  if (offsetMs === 0) await emulatorSettings.deleteSetting(db, 'clock_offset_ms');
  else await emulatorSettings.writeSetting(db, 'clock_offset_ms', String(Math.round(offsetMs)), now);
}

/** The rules set with `dataport faults set`, stored as JSON (validated by the CLI before they are written). */
export async function readRuntimeFaultRules(db: Db): Promise<DemoFault[]> {
  const text = await emulatorSettings.readSetting(db, 'demo_faults');
  if (text === undefined) return [];
  const rules: unknown = JSON.parse(text);
  // A row edited by hand into something else is ignored rather than failing every export.
  return Array.isArray(rules) ? rules.filter(isDemoFault) : [];
}

export async function writeRuntimeFaultRules(db: Db, rules: readonly DemoFault[], now: number): Promise<void> {
  if (rules.length === 0) await emulatorSettings.deleteSetting(db, 'demo_faults');
  else await emulatorSettings.writeSetting(db, 'demo_faults', JSON.stringify(rules), now);
}

function isDemoFault(value: unknown): value is DemoFault {
  const f = value as DemoFault;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.group === 'string' &&
    ['fail', 'flaky', 'slow'].includes(f.rule) &&
    Number.isSafeInteger(f.value) &&
    f.value >= 0
  );
}
