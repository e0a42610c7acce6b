/**
 * An open-loop load generator for "N requests a second, steadily": request i is due at start + i / rate,
 * and its latency is counted from that due moment to the last byte of the answer. A server (or a pool of
 * busy connections, or this process) that falls behind therefore shows up in the latency instead of
 * slowing the schedule down: no coordinated omission.
 *
 * Why not autocannon's `overallRate`: autocannon lets each connection send its share of a second
 * back-to-back as soon as the second starts and then pauses it, so 200/s over 20 connections arrives as
 * one burst of 200 requests each second. Its coordinated-omission correction then records each answer
 * with an expected interval of `ceil(1 / perConnectionRate)` = 1 ms, adding a synthetic sample for every
 * millisecond of every answer. Both inflate the tail it reports (p99 of 20–40 ms for a route that does
 * nothing, on this machine).
 */
import http from 'node:http';
import type { LoadSummary } from './load-summary.js';
import { round } from './numbers.js';

export interface SteadyPlan {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** Requests per second, spread evenly. */
  rate: number;
  /** How many requests in all. */
  amount: number;
  /** Most requests in flight at once (kept-alive sockets); more wait in the agent, and the wait counts. */
  connections: number;
  /** Headers and body of request i; the same for all when absent. */
  request: (i: number) => { headers: Record<string, string>; body?: string };
}

export type SteadyResult = Required<LoadSummary>;

const TIMEOUT_MS = 10_000;

export async function steadyLoad(plan: SteadyPlan): Promise<SteadyResult> {
  const target = new URL(plan.path, plan.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.connections });
  const latencies: number[] = [];
  const lags: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  const interval = 1000 / plan.rate;
  // Open the sockets before the clock starts: the first second should not measure TCP handshakes.
  await Promise.all(Array.from({ length: plan.connections }, () => warm(agent, target)));

  const start = performance.now() + 5;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < plan.amount; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    // Timers fire up to about a millisecond late; the lateness is counted in the latency (and reported
    // apart as sendLagMs), which errs against the server, not for it.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lags.push(performance.now() - due);
    const { headers, body } = plan.request(i);
    pending.push(
      send(agent, target, plan.method, headers, body).then(
        (status) => {
          latencies.push(performance.now() - due);
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (status < 200 || status > 299) non2xx++;
        },
        (error: Error) => {
          if (error.message === 'timeout') timeouts++;
          else errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  const durationSeconds = (performance.now() - start) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    durationSeconds: round(durationSeconds, 2),
    requestsPerSecond: latencies.length / durationSeconds,
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: round(latencies.at(-1) ?? 0, 2),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), 2),
    },
    sendLagMs: { p99: quantile(lags, 0.99), max: round(lags.at(-1) ?? 0, 2) },
    non2xx,
    errors,
    timeouts,
    statusCodes,
  };
}

function send(agent: http.Agent, target: URL, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      { agent, method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        response.on('data', () => {});
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.setTimeout(TIMEOUT_MS, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(body);
  });
}

/** One request that opens a kept-alive socket; its answer (likely 404) doesn't matter. */
function warm(agent: http.Agent, target: URL): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(new URL('/bench-warm-up', target), { agent, method: 'GET' }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    request.on('error', () => resolve());
    request.end();
  });
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!, 2);
}
