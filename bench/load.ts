/**
 * The load generator, run as its own process so it does not share an event loop (or a core's time slice)
 * with the server it measures. Reads a plan (JSON file named by argv[2]), runs autocannon, prints a summary.
 *
 * A plan either GETs one path with fixed headers, or POSTs a different body/token per request (`rotate`):
 * initiate needs distinct users or groups per request, or it would get 409/429 instead of doing work.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadPlan {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  overallRate?: number;
  /** One entry per request, used in order: the token and JSON body of each. */
  rotate?: { token: string; body: string }[];
}

export interface LoadSummary {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
let next = 0;
const statusCodes: Record<string, number> = {};

const instance = autocannon({
  url: plan.url,
  connections: plan.connections,
  ...(plan.amount !== undefined ? { amount: plan.amount } : { duration: plan.durationSeconds ?? 10 }),
  ...(plan.overallRate !== undefined ? { overallRate: plan.overallRate } : {}),
  requests: [
    {
      method: plan.method,
      path: plan.path,
      headers: plan.headers ?? {},
      ...(plan.rotate
        ? {
            setupRequest: (request: Record<string, unknown>) => {
              const item = plan.rotate![next++ % plan.rotate!.length]!;
              return {
                ...request,
                headers: { ...(plan.headers ?? {}), authorization: `Bearer ${item.token}`, 'content-type': 'application/json' },
                body: item.body,
              };
            },
          }
        : {}),
    },
  ],
});
instance.on('response', (_client: unknown, statusCode: number) => {
  statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
});

const result = await instance;
const summary: LoadSummary = {
  requests: result.requests.total,
  durationSeconds: result.duration,
  requestsPerSecond: result.requests.total / result.duration,
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statusCodes,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
