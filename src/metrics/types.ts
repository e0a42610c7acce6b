/**
 * What the parts of Dataport report to the process's metrics (docs/operations.md, "Metrics"). Each is a
 * synchronous counter or histogram update: none awaits, so the polling path stays as cheap as it was.
 */
export interface Metrics {
  /** An HTTP request answered: its method, route (the pattern, not the path: bounded labels), status and latency. */
  apiRequest(method: string, route: string, status: number, seconds: number): void;
  /** Archive bytes sent by the download route. */
  downloadBytes(bytes: number): void;
  /** A refused sign-in: `invalid` (wrong name or password) or `throttled`. */
  signInFailure(reason: string): void;
  /** A run ended its job: COMPLETE with what each group exported, or FAILED. `seconds` from claim to end. */
  jobFinished(outcome: {
    state: 'COMPLETE' | 'FAILED';
    groups: readonly { name: string; records: number; bytes: number }[];
    seconds: number;
    bytes: number;
  }): void;
  /** A worker took (+1) or let go of (-1) a job. */
  workerBusy(delta: 1 | -1): void;
}

/** Metrics that go nowhere: a part built without a registry (operator commands). */
export const NO_METRICS: Metrics = {
  apiRequest() {},
  downloadBytes() {},
  signInFailure() {},
  jobFinished() {},
  workerBusy() {},
};
