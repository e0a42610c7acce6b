/** What one load run measured, as `load.ts` prints it. */
export interface LoadSummary {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Open-loop runs only: how late the generator itself sent requests (already inside the latency). */
  sendLagMs?: { p99: number; max: number };
}
