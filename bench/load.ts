/**
 * The load generator, run as its own process so it does not share an event loop (or a core's time slice)
 * with the server it measures. Reads a plan (JSON file named by argv[2]), prints a summary. Throughput
 * plans (as many requests as the server answers) run autocannon; plans with a `rate` run the open-loop
 * generator in lib/steady-load.ts, which spreads the requests evenly (autocannon's rate limit sends them
 * in one burst a second; see that file).
 *
 * A steady plan may POST a different body/token per request (`rotate`): initiate needs distinct users or
 * groups per request, or it would get 409/429 instead of doing work.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { LoadSummary } from './lib/load-summary.js';
import { steadyLoad } from './lib/steady-load.js';

export interface LoadPlan {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  connections: number;
  /** A throughput run (autocannon): how long. */
  durationSeconds?: number;
  /** A steady run: requests per second, evenly spread, and how many in all. */
  rate?: number;
  amount?: number;
  /** A steady run's requests, used in order: the token and JSON body of each. */
  rotate?: { token: string; body: string }[];
}

export type { LoadSummary };

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
const summary = plan.rate !== undefined ? await steady(plan, plan.rate) : await throughput(plan);
process.stdout.write(`${JSON.stringify(summary)}\n`);

function requestOf(i: number): { headers: Record<string, string>; body?: string } {
  if (!plan.rotate) return { headers: plan.headers ?? {} };
  const item = plan.rotate[i % plan.rotate.length]!;
  return { headers: { ...(plan.headers ?? {}), authorization: `Bearer ${item.token}`, 'content-type': 'application/json' }, body: item.body };
}

async function steady(plan: LoadPlan, rate: number): Promise<LoadSummary> {
  if (plan.amount === undefined) throw new Error('a plan with a rate needs an amount');
  return steadyLoad({ url: plan.url, method: plan.method, path: plan.path, rate, amount: plan.amount, connections: plan.connections, request: requestOf });
}

/** As many requests as the server answers on `connections` connections, for `durationSeconds`. */
async function throughput(plan: LoadPlan): Promise<LoadSummary> {
  const statusCodes: Record<string, number> = {};
  const instance = autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds ?? 10,
    requests: [{ method: plan.method, path: plan.path, headers: plan.headers ?? {} }],
  });
  instance.on('response', (_client: unknown, statusCode: number) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}
