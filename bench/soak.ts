/**
 * Soak: N state polls a second plus M exports a second for T minutes against `dataport start` (compiled, a child
 * process), then one JSON document on stdout (progress on stderr):
 *
 *   npx tsx bench/soak.ts --polls 50 --exports 0.5 --minutes 30 [--window 60] > soak.json
 *
 * The load is open-loop (request i is due at start + i / rate; latency counts from that moment, so a server
 * that falls behind shows). Polls read a COMPLETE job's state (parts listed, URLs signed). Each export is an
 * initiate of one group under a one-time grant, followed until COMPLETE (its state read once a second, apart
 * from the poll load). Per window: requests, errors, latency percentiles, exports initiated and completed, and
 * the server's RSS (sampled every second; the window's last and highest). At the end every export must be
 * COMPLETE. `ok` is true when there were no errors and the RSS stayed flat (the last third of the windows
 * peaked at most 20 % or 32 MiB above the first third, the first window left out as warm-up); the exit code is
 * 1 otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { googleCatalog } from '../src/catalog/index.js';
import { getState, initiate, waitComplete } from './lib/http.js';
import { round } from './lib/numbers.js';
import { buildDataport, log, memoryOf, mintToken, startDataportProcess } from './lib/processes.js';

const { values } = parseArgs({
  options: {
    polls: { type: 'string', default: '50' },
    exports: { type: 'string', default: '0.5' },
    minutes: { type: 'string', default: '1' },
    window: { type: 'string', default: '60' },
  },
});
const pollRate = Number(values.polls);
const exportRate = Number(values.exports);
const durationMs = Number(values.minutes) * 60_000;
const windowMs = Number(values.window) * 1000;
const windowCount = Math.ceil(durationMs / windowMs);

interface Window {
  polls: number[];
  pollErrors: number;
  initiates: number[];
  exportErrors: number;
  completed: number;
  rss: number[];
}
const windows: Window[] = Array.from({ length: windowCount }, () => ({ polls: [], pollErrors: 0, initiates: [], exportErrors: 0, completed: 0, rss: [] }));
const errorSamples: string[] = [];
const windowOf = (t: number, start: number) => windows[Math.min(windowCount - 1, Math.floor((t - start) / windowMs))]!;
const noteError = (message: string) => {
  if (errorSamples.length < 20) errorSamples.push(message);
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!, 1);
const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

buildDataport();
const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-soak-'));
mkdirSync(path.join(dataDir, 'data'));
const data = path.join(dataDir, 'data');
const groups = googleCatalog().groups.map((g) => g.name);
const exportCount = Math.ceil((exportRate * durationMs) / 1000);
const tokenCount = Math.ceil(exportCount / groups.length);
log(`soak: ${pollRate} polls/s + ${exportRate} exports/s for ${values.minutes} min; minting ${tokenCount + 1} tokens`);
const pollToken = await mintToken(data, 'soak-poll-user', ['myactivity.search']);
const tokens: string[] = [];
for (let i = 0; i < tokenCount; i += 4) {
  tokens.push(...(await Promise.all(Array.from({ length: Math.min(4, tokenCount - i) }, (_, j) => mintToken(data, `soak-user-${i + j}`, groups)))));
}
const server = await startDataportProcess(data, { DATAPORT_DEMO_RECORDS: '200' });
let exitCode = 1;
try {
  const pollJob = await initiate(server.url, pollToken, ['myactivity.search']);
  await waitComplete(server.url, pollToken, pollJob, 50, 60_000);

  const start = performance.now();
  const end = start + durationMs;
  const pending: Promise<void>[] = [];
  let lastRss = 0;
  const rssTimer = setInterval(() => {
    const now = performance.now();
    const m = memoryOf(server.pid);
    if (m && now < end) windowOf(now, start).rss.push((lastRss = m.rssBytes));
  }, 1000);

  const poll = async (due: number) => {
    try {
      await getState(server.url, pollToken, pollJob);
      windowOf(due, start).polls.push(performance.now() - due);
    } catch (error) {
      windowOf(due, start).pollErrors++;
      noteError(`poll: ${(error as Error).message}`);
    }
  };
  const exportOne = async (i: number, due: number) => {
    const token = tokens[Math.floor(i / groups.length)]!;
    const group = groups[i % groups.length]!;
    try {
      const jobId = await initiate(server.url, token, [group]);
      windowOf(due, start).initiates.push(performance.now() - due);
      // Followed apart from the poll load, once a second; its completion counts in the window it happened in.
      await waitComplete(server.url, token, jobId, 1000, 120_000);
      windowOf(performance.now(), start).completed++;
    } catch (error) {
      windowOf(due, start).exportErrors++;
      noteError(`export ${group}: ${(error as Error).message}`);
    }
  };

  // One open-loop schedule for both kinds: every tick issues whatever has come due.
  let polls = 0;
  let exportsSent = 0;
  let lastLog = start;
  while (performance.now() < end) {
    const now = performance.now();
    while (pollRate > 0 && start + (polls * 1000) / pollRate <= now) pending.push(poll(start + (polls++ * 1000) / pollRate));
    while (exportRate > 0 && exportsSent < exportCount && start + (exportsSent * 1000) / exportRate <= now) {
      pending.push(exportOne(exportsSent, start + (exportsSent * 1000) / exportRate));
      exportsSent++;
    }
    if (now - lastLog > windowMs) {
      lastLog = now;
      const errors = windows.reduce((n, w) => n + w.pollErrors + w.exportErrors, 0);
      log(`soak: ${Math.round((now - start) / 1000)} s, ${polls} polls, ${exportsSent} exports, ${errors} errors, RSS ${mib(lastRss)} MiB`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending.splice(0));
  clearInterval(rssTimer);

  const series = windows.map((w, i) => {
    const p = [...w.polls].sort((a, b) => a - b);
    const x = [...w.initiates].sort((a, b) => a - b);
    return {
      window: i,
      fromS: (i * windowMs) / 1000,
      polls: p.length,
      pollErrors: w.pollErrors,
      pollMs: { p50: percentile(p, 50), p90: percentile(p, 90), p99: percentile(p, 99), max: percentile(p, 100) },
      exportsInitiated: x.length,
      exportsCompleted: w.completed,
      exportErrors: w.exportErrors,
      initiateMs: { p50: percentile(x, 50), p99: percentile(x, 99), max: percentile(x, 100) },
      rssMiB: w.rss.length ? mib(w.rss.at(-1)!) : null,
      rssPeakMiB: w.rss.length ? mib(Math.max(...w.rss)) : null,
    };
  });
  const errors = windows.reduce((n, w) => n + w.pollErrors + w.exportErrors, 0);
  const completed = windows.reduce((n, w) => n + w.completed, 0);
  // Flat RSS: the last third of the windows (warm-up window left out) peaks at most 20 % or 32 MiB above the first third.
  const peaks = series
    .slice(1)
    .map((w) => w.rssPeakMiB)
    .filter((v): v is number => v !== null);
  const third = Math.max(1, Math.floor(peaks.length / 3));
  const early = Math.max(...peaks.slice(0, third));
  const late = Math.max(...peaks.slice(-third));
  const rssFlat = peaks.length < 2 || late <= Math.max(early * 1.2, early + 32);
  const result = {
    benchmark: 'dataport soak',
    startedAt: new Date(Date.now() - (performance.now() - start)).toISOString(),
    load: { pollsPerSecond: pollRate, exportsPerSecond: exportRate, minutes: Number(values.minutes), windowSeconds: windowMs / 1000 },
    totals: {
      polls: polls,
      exports: exportsSent,
      exportsCompleted: completed,
      errors,
      rssFirstMiB: peaks[0] ?? null,
      rssLastMiB: peaks.at(-1) ?? null,
      rssEarlyPeakMiB: early,
      rssLatePeakMiB: late,
      rssFlat,
    },
    ok: errors === 0 && completed === exportsSent && rssFlat,
    errorSamples,
    windows: series,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  exitCode = result.ok ? 0 : 1;
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
