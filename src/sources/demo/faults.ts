/**
 * Controllable faults of the demo source (`DATAPORT_DEMO_FAULTS`), so client developers can exercise the
 * FAILED → retry, transient-error and cancel paths of their code against a server that behaves like Google's.
 *
 * @example
 * parseDemoFaults('maps.reviews=fail:1, myactivity.search=flaky:2, chrome.history=slow:5000', groups)
 * // the first job touching maps.reviews fails (its retry succeeds); the next two attempts at
 * // myactivity.search break off mid-file with a transient error; chrome.history takes at least 5 s.
 */

export type DemoFaultRule = 'fail' | 'flaky' | 'slow';

export interface DemoFault {
  /** Resource group the rule applies to, e.g. `maps.reviews`. */
  group: string;
  /**
   * `fail`: the first `value` distinct jobs touching the group end FAILED (a permanent source error).
   * `flaky`: `value` transient errors in total, then success.
   * `slow`: the group takes at least `value` ms.
   */
  rule: DemoFaultRule;
  value: number;
}

/**
 * Durable counters behind the `fail` and `flaky` rules. They must outlive a worker (a redone job must see
 * the same answer) and be shared by all workers, so the server's implementation lives in the store.
 */
export interface FaultLedger {
  /** Record that `jobId` touched fault `key`; true if this job is among the first `limit` distinct jobs to do so (same job asked again -> same answer). */
  claimFailure(key: string, jobId: string, limit: number): Promise<boolean>;
  /** Consume one of `limit` transient errors for `key`; true while some remain. */
  takeTransient(key: string, limit: number): Promise<boolean>;
}

const RULES: readonly DemoFaultRule[] = ['fail', 'flaky', 'slow'];

const UNITS: Record<DemoFaultRule, string> = {
  fail: 'a whole number of jobs',
  flaky: 'a whole number of errors',
  slow: 'a whole number of milliseconds',
};

const SYNTAX = 'expected group=rule:value, e.g. maps.reviews=fail:1 (rules: fail:N, flaky:N, slow:MS)';

/**
 * Parses `DATAPORT_DEMO_FAULTS`: a comma list of `group=rule:value`. Several rules may name one group.
 * Throws an Error naming the first bad item; an empty string gives no faults.
 */
export function parseDemoFaults(spec: string, knownGroups: readonly string[]): DemoFault[] {
  const known = new Set(knownGroups);
  const faults: DemoFault[] = [];
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const fail = (why: string): Error => new Error(`DATAPORT_DEMO_FAULTS: "${item}": ${why}`);
    const match = /^([^=\s]+)\s*=\s*([^:\s]+)\s*:\s*(\S+)$/.exec(item);
    if (!match) throw fail(SYNTAX);
    const [, group = '', rule = '', value = ''] = match;
    if (!known.has(group)) throw fail(`unknown resource group "${group}"`);
    if (!(RULES as readonly string[]).includes(rule)) {
      throw fail(`unknown rule "${rule}" (rules: fail:N, flaky:N, slow:MS)`);
    }
    const ruleName = rule as DemoFaultRule;
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
      throw fail(`${ruleName} needs ${UNITS[ruleName]}, got "${value}"`);
    }
    faults.push({ group, rule: ruleName, value: number });
  }
  return faults;
}

/** The ledger key of a fault: its own text, so two rules never share a counter. */
export function faultKey(fault: DemoFault): string {
  return `${fault.group}=${fault.rule}:${fault.value}`;
}

/**
 * An in-process ledger, for tests and single-process demos. It forgets on restart, so after one a
 * `fail:1` group fails once more.
 */
export function createMemoryFaultLedger(): FaultLedger {
  const claimants = new Map<string, Set<string>>();
  const transientsTaken = new Map<string, number>();
  return {
    async claimFailure(key, jobId, limit) {
      let jobs = claimants.get(key);
      if (!jobs) claimants.set(key, (jobs = new Set()));
      if (jobs.has(jobId)) return true;
      if (jobs.size >= limit) return false;
      jobs.add(jobId);
      return true;
    },
    async takeTransient(key, limit) {
      const taken = transientsTaken.get(key) ?? 0;
      if (taken >= limit) return false;
      transientsTaken.set(key, taken + 1);
      return true;
    },
  };
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
