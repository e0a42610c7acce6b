import type { DemoFault } from '../sources/demo/index.js';
import { resetFaultCounters, type Db } from '../store/index.js';
import { readRuntimeFaultRules, writeRuntimeFaultRules } from './settings.js';

/** The text of one rule, `group=rule:value`: also the key its counters are kept under. */
export function formatFault(fault: DemoFault): string {
  return `${fault.group}=${fault.rule}:${fault.value}`;
}

/**
 * The faults the demo source applies to a job: the server's `DATAPORT_DEMO_FAULTS` plus the rules set at run
 * time with `dataport faults set`. Read once per resource group of a job, so a change applies to the next job.
 */
export function createRuntimeFaults(deps: { db: Db; configured: readonly DemoFault[] }): () => Promise<DemoFault[]> {
  return async () => [...deps.configured, ...(await readRuntimeFaultRules(deps.db))];
}

/**
 * Adds rules to the run-time set. A rule replaces one of the same group and kind (`fail:2` replaces
 * `fail:1`), and its counters start afresh, so setting `fail:1` again fails the next job again.
 */
export async function setRuntimeFaults(db: Db, rules: readonly DemoFault[], now: number): Promise<DemoFault[]> {
  const current = await readRuntimeFaultRules(db);
  const kept = current.filter((f) => !rules.some((r) => r.group === f.group && r.rule === f.rule));
  const next = [...kept, ...rules];
  await resetFaultCounters(db, rules.map(formatFault));
  await writeRuntimeFaultRules(db, next, now);
  return next;
}

/** Removes the run-time rules of `groups` (all of them when none are named); returns what remains. */
export async function clearRuntimeFaults(db: Db, groups: readonly string[], now: number): Promise<DemoFault[]> {
  const current = await readRuntimeFaultRules(db);
  const next = groups.length === 0 ? [] : current.filter((f) => !groups.includes(f.group));
  await writeRuntimeFaultRules(db, next, now);
  return next;
}

export const listRuntimeFaults = readRuntimeFaultRules;
