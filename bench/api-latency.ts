import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { googleCatalog } from '../src/catalog/index.js';
import { round } from './lib/numbers.js';
import { getState, initiate, waitComplete } from './lib/http.js';
import { log, mintToken, runTsx, startDataportProcess, startTsxServer } from './lib/processes.js';
import type { LoadPlan, LoadSummary } from './load.js';

const LOAD = fileURLToPath(new URL('./load.ts', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-fastify.ts', import.meta.url));

export interface ApiBenchOptions {
  /** Seconds of polling measured on each side, in ~2 s slices taken in turns (after a warm-up of a third of it). */
  pollSeconds: number;
  pollConnections: number;
  /** Steady initiate rate and how long it is held. */
  initiateRate: number;
  initiateSeconds: number;
  firstByteSamples: number;
  /** Only the polling figure (`--only poll`): no initiate load, no first-byte samples. */
  pollOnly?: boolean;
  /** Only the steady initiate load (`--only initiate`): no polling slices, no first-byte samples. */
  initiateOnly?: boolean;
}

/**
 * The API benchmarks, on one server with small exports (20 records a group) so that the workers' exports
 * stay in the background:
 * - getPortabilityArchiveState of a COMPLETE job (the heavier answer: parts are listed and URLs signed)
 *   under autocannon from a second process, beside a bare Fastify route returning the same JSON;
 * - initiate -> first archive byte on disk, on an idle server;
 * - initiate at a steady rate, each request a different (user, group) so each one creates a job, beside the
 *   same load on the bare server's initiate route.
 */
export async function apiBenchmarks(options: ApiBenchOptions, nodeArgs: string[] = []) {
  const work = mkdtempSync(path.join(tmpdir(), 'dataport-bench-api-'));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const groups = googleCatalog().groups.map((g) => g.name);
  try {
    // One-time grants allow one export per group per consent: a token covering every group is good for
    // `groups.length` initiates. Tokens are minted through the CLI before the server starts.
    const initiateCount = options.pollOnly ? 0 : Math.ceil(options.initiateRate * options.initiateSeconds);
    const tokenCount = options.pollOnly ? 0 : Math.ceil(initiateCount / groups.length) + 1;
    log(`api: minting ${tokenCount + 1} tokens through \`dataport token\``);
    const pollToken = await mintToken(dataDir, 'bench-poll-user', ['myactivity.search']);
    const tokens: string[] = [];
    for (let i = 0; i < tokenCount; i += 4) {
      const batch = Array.from({ length: Math.min(4, tokenCount - i) }, (_, j) => mintToken(dataDir, `bench-user-${i + j}`, groups));
      tokens.push(...(await Promise.all(batch)));
    }
    const server = await startDataportProcess(dataDir, { DATAPORT_DEMO_RECORDS: '20' }, nodeArgs);
    try {
      if (options.initiateOnly) {
        const bare = await startTsxServer(BARE, []);
        try {
          return { initiate: await steadyInitiate(server.url, bare.url, tokens, groups, work, options, initiateCount) };
        } finally {
          await bare.stop();
        }
      }
      const polled = await completedJob(server.url, pollToken, work);
      // One bare server for both references: its state route answers the polled job's very bytes.
      const bare = await startTsxServer(BARE, [polled.bodyFile]);
      try {
        const state = await statePolling(server.url, bare.url, pollToken, polled, work, options);
        if (options.pollOnly) return { getPortabilityArchiveState: state };
        const [firstByteToken, ...loadTokens] = tokens;
        const firstByte = await firstByteLatency(server.url, dataDir, firstByteToken!, groups.slice(0, options.firstByteSamples));
        const initiateLatency = await steadyInitiate(server.url, bare.url, loadTokens, groups, work, options, initiateCount);
        return { getPortabilityArchiveState: state, initiateToFirstByte: firstByte, initiate: initiateLatency };
      } finally {
        await bare.stop();
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A COMPLETE job to poll, and its state answer saved for the bare route to send. */
async function completedJob(url: string, token: string, work: string) {
  const jobId = await initiate(url, token, ['myactivity.search']);
  await waitComplete(url, token, jobId, 20, 60_000);
  const { text } = await getState(url, token, jobId);
  const bodyFile = path.join(work, 'state.json');
  writeFileSync(bodyFile, text);
  return { jobId, text, bodyFile };
}

async function statePolling(url: string, bareUrl: string, token: string, job: { jobId: string; text: string }, work: string, options: ApiBenchOptions) {
  const statePath = `/v1/archiveJobs/${job.jobId}/portabilityArchiveState`;

  // Dataport and the bare route take turns in short slices, so that a slower minute of a shared machine
  // weighs on both sides of the ratio alike (one 10 s run each moved the ratio between 0.49 and 0.68).
  const slices = Math.max(1, Math.round(options.pollSeconds / POLL_SLICE_SECONDS));
  const sliceSeconds = Math.max(1, Math.round(options.pollSeconds / slices));
  log(
    `api: getPortabilityArchiveState under load, ${options.pollConnections} connections, ${slices} x ${sliceSeconds}s, taking turns with a bare Fastify route`,
  );
  const dataportPlan = { method: 'GET' as const, path: statePath, connections: options.pollConnections, url, headers: { authorization: `Bearer ${token}` } };
  const barePlan = { ...dataportPlan, url: bareUrl, headers: {} };
  const warmUp = Math.max(1, Math.round(options.pollSeconds / 3));
  await load(work, { ...dataportPlan, durationSeconds: warmUp });
  await load(work, { ...barePlan, durationSeconds: warmUp });
  const dataportSlices: LoadSummary[] = [];
  const bareSlices: LoadSummary[] = [];
  for (let i = 0; i < slices; i++) {
    dataportSlices.push(await load(work, { ...dataportPlan, durationSeconds: sliceSeconds }));
    bareSlices.push(await load(work, { ...barePlan, durationSeconds: sliceSeconds }));
  }
  const dataport = combine(dataportSlices);
  const reference = combine(bareSlices);
  const ratio = dataport.requestsPerSecond / reference.requestsPerSecond;
  return {
    jobState: 'COMPLETE',
    responseBytes: Buffer.byteLength(job.text),
    connections: options.pollConnections,
    dataport: { ...brief(dataport), slicesRequestsPerSecond: dataport.slicesRequestsPerSecond },
    bareFastify: { ...brief(reference), slicesRequestsPerSecond: reference.slicesRequestsPerSecond },
    requestsPerSecondRatio: round(ratio, 3),
    p99Ratio: round(dataport.latencyMs.p99 / Math.max(reference.latencyMs.p99, 1), 2),
    targets: { requestsPerSecondRatioAtLeast: 0.5, met: ratio >= 0.5 && dataport.non2xx === 0 },
  };
}

/** Time from sending initiate to the worker's first archive byte on disk (any file of the job, size > 0). */
async function firstByteLatency(url: string, dataDir: string, token: string, groups: string[]) {
  log(`api: initiate -> first archive byte, ${groups.length} jobs one after another on an idle server`);
  const samples: number[] = [];
  for (const group of groups) {
    const started = performance.now();
    const jobId = await initiate(url, token, [group]);
    const jobDir = path.join(dataDir, 'blobs', 'archives', jobId);
    // 1 ms polls: the measurement's resolution. A file found already renamed (the export finished in
    // between) still means its first byte came before this moment.
    for (;;) {
      if (firstFileWithBytes(jobDir)) break;
      if (performance.now() - started > 30_000) throw new Error(`no archive bytes for job ${jobId} after 30 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
    samples.push(performance.now() - started);
    await waitComplete(url, token, jobId, 10, 60_000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!, 2);
  return { samples: samples.length, ms: { p50: at(0.5), p90: at(0.9), max: round(samples.at(-1)!, 2) }, resolutionMs: 1 };
}

function firstFileWithBytes(dir: string): boolean {
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).size > 0) return true;
    }
  } catch {
    // not created yet
  }
  return false;
}

async function steadyInitiate(url: string, bareUrl: string, tokens: string[], groups: string[], work: string, options: ApiBenchOptions, count: number) {
  log(`api: initiate at a steady ${options.initiateRate}/s for ${options.initiateSeconds}s (${count} distinct jobs)`);
  const rotate: { token: string; body: string }[] = [];
  for (const token of tokens) for (const group of groups) rotate.push({ token, body: JSON.stringify({ resources: [group] }) });
  const plan = {
    method: 'POST' as const,
    path: '/v1/portabilityArchive:initiate',
    connections: 20,
    rate: options.initiateRate,
    amount: count,
    rotate: rotate.slice(0, count),
  };
  const result = await load(work, { ...plan, url });
  // The same plan against a route that answers at once: what the load generator and the machine alone
  // measure at this rate (on a busy shared machine its p99 alone can exceed the target).
  log(`api: the same initiate load on a bare Fastify route (${count} requests)`);
  const reference = await load(work, { ...plan, url: bareUrl });
  return {
    targetRatePerSecond: options.initiateRate,
    ...brief(result),
    generatorSendLagMs: result.sendLagMs,
    bareFastify: { latencyMs: reference.latencyMs, non2xx: reference.non2xx },
    note: "open loop: one request every 1000/rate ms, latency from its due time to the answer's last byte; every request creates a job that the server's workers export (20 records a group) while the load runs; bareFastify: the same load on a route that answers at once",
    targets: { p99MsBelow: 20, met: result.latencyMs.p99 < 20 && result.non2xx === 0 },
  };
}

/** Seconds of each turn of the polling benchmark. */
const POLL_SLICE_SECONDS = 2;

/**
 * Slices of one closed-loop run added up: requests over total time; latency percentiles are the worst
 * slice's (autocannon's histograms can't be merged from their summaries), so they err high.
 */
function combine(slices: LoadSummary[]): LoadSummary & { slicesRequestsPerSecond: number[] } {
  const sum = (f: (s: LoadSummary) => number) => slices.reduce((n, s) => n + f(s), 0);
  const worst = (f: (l: LoadSummary['latencyMs']) => number) => Math.max(...slices.map((s) => f(s.latencyMs)));
  const requests = sum((s) => s.requests);
  const durationSeconds = sum((s) => s.durationSeconds);
  const statusCodes: Record<string, number> = {};
  for (const s of slices) for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    requests,
    durationSeconds,
    requestsPerSecond: requests / durationSeconds,
    latencyMs: {
      p50: worst((l) => l.p50),
      p90: worst((l) => l.p90),
      p99: worst((l) => l.p99),
      max: worst((l) => l.max),
      mean: round(sum((s) => s.latencyMs.mean * s.requests) / Math.max(1, requests), 2),
    },
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    statusCodes,
    slicesRequestsPerSecond: slices.map((s) => Math.round(s.requestsPerSecond)),
  };
}

function brief(s: LoadSummary) {
  return {
    requests: s.requests,
    requestsPerSecond: Math.round(s.requestsPerSecond),
    latencyMs: s.latencyMs,
    non2xx: s.non2xx,
    errors: s.errors + s.timeouts,
    ...(s.non2xx > 0 ? { statusCodes: s.statusCodes } : {}),
  };
}

async function load(work: string, plan: LoadPlan): Promise<LoadSummary> {
  const file = path.join(work, `plan-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  const out = await runTsx(LOAD, [file]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoadSummary;
}
