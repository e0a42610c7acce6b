import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { download, initiate, waitComplete } from './lib/http.js';
import { round } from './lib/numbers.js';
import { cpuTimeOf, log, mintToken, runCommand, sampleRss, startDataportProcess, threadCpuOf, threadCpuSince, timeCommand } from './lib/processes.js';

/**
 * One user's `myactivity.search` (Takeout's My Activity JSON, ~343 bytes a record), exported end to end
 * through the HTTP API: initiate -> poll until COMPLETE. Then the archive is downloaded and unpacked, and
 * Info-ZIP `zip` (one thread) and `pigz -p <cores>` (parallel deflate, the target's reference) compress the very
 * same uncompressed bytes at the same level on the same machine.
 *
 * That pair is measured `samples` times, each on a fresh server (so every export is a first one), and the
 * pair with the median ratio is reported with every pair's figures beside it: on a shared machine the same
 * work's CPU time moved by up to 40 % within minutes, and a ratio of two runs made apart is only as good as
 * the quietest of them.
 */
export interface ExportBenchOptions {
  records: number;
  /** How many (export, zip) pairs, one after the other; the median ratio is reported. */
  samples: number;
  deflateLevel: number;
  zipAvailable: boolean;
  /** Whether `pigz` is installed: the parallel reference (issue 18's target is ≤ 1.15 × pigz). */
  pigzAvailable: boolean;
  /** Extra `node` flags for the server (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra env for the server. */
  env?: Record<string, string>;
  keepDir?: boolean;
}

export async function exportThroughput(options: ExportBenchOptions) {
  const pairs: Awaited<ReturnType<typeof onePair>>[] = [];
  for (let i = 0; i < options.samples; i++) {
    if (options.samples > 1) log(`export: pair ${i + 1} of ${options.samples}`);
    pairs.push(await onePair(options));
  }
  // Ranked by the ratio to pigz (the target's reference) when it is there, else to zip.
  const rankOf = (p: (typeof pairs)[number]) => p.pigzWallTimeRatio ?? p.wallTimeRatio ?? 0;
  const ranked = [...pairs].sort((a, b) => rankOf(a) - rankOf(b));
  const median = ranked[Math.floor((ranked.length - 1) / 2)]!;
  const peakRssMiB = Math.max(...pairs.map((p) => p.dataport.serverPeakRssMiB));
  const ratio = median.wallTimeRatio;
  const pigzRatio = median.pigzWallTimeRatio;
  return {
    ...median,
    targets: {
      pigzWallTimeRatioAtMost: 1.15,
      pigzWallTimeRatioMet: pigzRatio === null ? null : pigzRatio <= 1.15,
      wallTimeRatioAtMost: 0.7,
      wallTimeRatioMet: ratio === null ? null : ratio <= 0.7,
      serverPeakRssMiBAtMost: 256,
      serverPeakRssMiB: peakRssMiB,
      serverPeakRssMet: peakRssMiB <= 256,
    },
    pairs: pairs.map((p) => ({
      dataportWallMs: p.dataport.wallMs,
      zipWallMs: 'wallMs' in p.zip ? p.zip.wallMs : null,
      wallTimeRatio: p.wallTimeRatio,
      pigzWallMs: 'wallMs' in p.pigz ? p.pigz.wallMs : null,
      pigzWallTimeRatio: p.pigzWallTimeRatio,
      serverPeakRssMiB: p.dataport.serverPeakRssMiB,
    })),
    note: `median of ${pairs.length} (export, zip, pigz) triple(s), each export on a fresh server; the figures above are that pair's, the peak RSS target is checked on every pair`,
  };
}

async function onePair(options: ExportBenchOptions) {
  const work = mkdtempSync(path.join(tmpdir(), 'dataport-bench-export-'));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const group = 'myactivity.search';
  try {
    const token = await mintToken(dataDir, 'bench-export-user', [group]);
    const server = await startDataportProcess(
      dataDir,
      {
        DATAPORT_DEMO_RECORDS: String(options.records),
        DATAPORT_DEFLATE_LEVEL: String(options.deflateLevel),
        ...options.env,
      },
      options.nodeArgs,
    );
    let wallMs: number;
    let memory: { peakRssBytes: number; vmHwmBytes: number };
    let urls: string[];
    let serverCpuMs: number;
    let serverThreadCpuMs: Record<string, number>;
    try {
      log(`export: ${options.records} records of ${group}, level ${options.deflateLevel}`);
      const rss = sampleRss(server.pid, 25);
      const cpuBefore = cpuTimeOf(server.pid);
      const threadsBefore = threadCpuOf(server.pid);
      const started = performance.now();
      const jobId = await initiate(server.url, token, [group]);
      // 20 ms polls: a negligible load next to the export, and at most 20 ms of error in the wall time.
      const state = await waitComplete(server.url, token, jobId, 20, 30 * 60_000);
      wallMs = performance.now() - started;
      // Where the server's time went (main thread, export threads, zlib's pool, the collector), and how much of
      // the two cores it used: wall × cores is the most a process can use.
      serverCpuMs = Math.round(cpuTimeOf(server.pid) - cpuBefore);
      serverThreadCpuMs = threadCpuSince(threadsBefore, threadCpuOf(server.pid));
      memory = rss.stop();
      urls = state.urls ?? [];
      const archives = path.join(work, 'archives');
      mkdirSync(archives);
      for (const [i, u] of urls.entries()) await download(u, path.join(archives, `part-${i + 1}.zip`));
    } finally {
      await server.stop();
    }

    const archives = path.join(work, 'archives');
    const parts = readdirSync(archives).map((f) => path.join(archives, f));
    const compressedBytes = parts.reduce((n, f) => n + statSync(f).size, 0);
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    // `unzip` also checks every entry's CRC-32: a corrupt archive fails the benchmark.
    for (const part of parts) await timeCommand('unzip', ['-q', '-o', part, '-d', unpacked], work);
    const uncompressedBytes = treeBytes(unpacked);
    rmSync(archives, { recursive: true, force: true });

    const dataport = {
      wallMs: round(wallMs),
      uncompressedBytes,
      compressedBytes,
      bytesPerSecond: Math.round(uncompressedBytes / (wallMs / 1000)),
      parts: parts.length,
      serverCpuMs,
      serverThreadCpuMs,
      serverPeakRssBytes: memory.peakRssBytes,
      serverVmHwmBytes: memory.vmHwmBytes,
      serverPeakRssMiB: round(Math.max(memory.peakRssBytes, memory.vmHwmBytes || 0) / 1024 ** 2),
    };
    let zip: { wallMs: number; compressedBytes: number; bytesPerSecond: number } | { available: false; note: string };
    if (options.zipAvailable) {
      log(`export: zip -${options.deflateLevel} -r on the same ${uncompressedBytes} bytes`);
      const out = path.join(work, 'reference.zip');
      const zipMs = await timeCommand('zip', ['-q', `-${options.deflateLevel}`, '-r', out, '.'], unpacked);
      zip = {
        wallMs: round(zipMs),
        compressedBytes: statSync(out).size,
        bytesPerSecond: Math.round(uncompressedBytes / (zipMs / 1000)),
      };
    } else {
      zip = { available: false, note: 'Info-ZIP `zip` is not installed (apt-get install -y zip): no reference figure' };
    }
    let pigz: { wallMs: number; cpuMs: number; threads: number; compressedBytes: number; bytesPerSecond: number } | { available: false; note: string };
    if (options.pigzAvailable) {
      const threads = cpus().length;
      log(`export: pigz -${options.deflateLevel} -p ${threads} on the same ${uncompressedBytes} bytes`);
      const out = path.join(work, 'reference.gz');
      // Every file of the tree (one large JSON and the index) into one output, as concatenated gzip members.
      const files = treeFiles(unpacked).map((f) => path.relative(unpacked, f));
      const started = performance.now();
      // `times` prints the CPU pigz used (its children's line), beside the wall time measured here.
      const times = await runCommand('bash', ['-c', `pigz -${options.deflateLevel} -p ${threads} -c -- "$@" > ${out}; times`, 'pigz', ...files], {
        cwd: unpacked,
      });
      const pigzMs = performance.now() - started;
      const [user = NaN, system = NaN] = [...(times.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map(
        (m) => (Number(m[1]) * 60 + Number(m[2])) * 1000,
      );
      pigz = {
        wallMs: round(pigzMs),
        cpuMs: Math.round(user + system),
        threads,
        compressedBytes: statSync(out).size,
        bytesPerSecond: Math.round(uncompressedBytes / (pigzMs / 1000)),
      };
      rmSync(out);
    } else {
      pigz = { available: false, note: '`pigz` is not installed (apt-get install -y pigz): no parallel reference figure' };
    }
    const zipWall = 'wallMs' in zip ? zip.wallMs : undefined;
    const pigzWall = 'wallMs' in pigz ? pigz.wallMs : undefined;
    return {
      group,
      records: options.records,
      deflateLevel: options.deflateLevel,
      dataport,
      zip,
      pigz,
      wallTimeRatio: zipWall ? round(dataport.wallMs / zipWall, 3) : null,
      pigzWallTimeRatio: pigzWall ? round(dataport.wallMs / pigzWall, 3) : null,
      throughputRatio: 'bytesPerSecond' in zip ? round(dataport.bytesPerSecond / zip.bytesPerSecond, 3) : null,
    };
  } finally {
    if (!options.keepDir) rmSync(work, { recursive: true, force: true });
  }
}

function treeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function treeBytes(dir: string): number {
  return treeFiles(dir).reduce((n, f) => n + statSync(f).size, 0);
}
