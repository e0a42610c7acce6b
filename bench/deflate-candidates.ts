/**
 * `npx tsx bench/deflate-candidates.ts [--mb 200] [--level 6]`: is there a deflate fast enough to close issue 18's
 * target 1 (a demo export within 1.15 × `pigz -p <cores>`)? The export's threads spend ~5.5 s of CPU per GB in
 * Node's zlib and ~3.4 s making and serializing the records (bench/README.md, round 6), against pigz's ~7.9 s in
 * all: only a deflate about twice as fast as Node's, at the same level and ratio, would bring the CPU under the
 * target's budget.
 *
 * This measures, on the same My Activity JSON the demo export writes (made here by the demo source's own shard
 * producer), the CPU time and output size of Node's zlib (as the export threads call it: 2.5 MB ranges, sync
 * flush, memLevel 9) and of every candidate installed as a command: GNU gzip and pigz on one thread (stock zlib),
 * libdeflate (Debian `libdeflate-tools`: `libdeflate-gzip`) and ISA-L (Debian `isal`: `igzip`, whose levels are
 * 0–3). The commands compress a file and write a gzip file; their CPU is the child's user + system time. Prints
 * JSON; a candidate that is not installed is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { demoShard } from '../src/sources/demo/shard.js';
import { serializerFor } from '../src/export/serialize.js';
import { DEFLATE_MEM_LEVEL } from '../src/export/deflate-options.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const megabytes = option('--mb', 200);
const level = option('--level', 6);
/** The export threads' range size (shard-worker.ts makes ranges of about this much text). */
const RANGE_BYTES = 2.5e6;

const work = mkdtempSync(path.join(tmpdir(), 'dataport-bench-deflate-'));
try {
  const file = path.join(work, 'MyActivity.json');
  writeMyActivity(file, megabytes * 1e6);
  const input = readFileSync(file);
  const report = {
    benchmark: 'deflate-candidates',
    inputBytes: input.length,
    level,
    node: process.version,
    candidates: [nodeZlib(input), ...commands(file)],
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The demo export's records, serialized as the export writes them, until the file holds `bytes`. */
function writeMyActivity(file: string, bytes: number) {
  const serializer = serializerFor({ type: 'json-array' });
  const fd = openSync(file, 'w');
  let written = 0;
  let first = true;
  const records = Math.ceil(bytes / 340);
  const demo = {
    userId: 'bench-deflate',
    group: 'myactivity.search',
    startMs: undefined,
    endMs: undefined,
    recordsPerGroup: records,
    nowMs: Date.UTC(2026, 0, 1),
    fileIndex: 0,
  };
  try {
    written += writeSync(fd, serializer.header);
    for (let from = 0; from < records && written < bytes; from += 10_000) {
      let text = '';
      for (const record of demoShard(demo, from, Math.min(records, from + 10_000))) {
        text += serializer.record(record, first);
        first = false;
      }
      written += writeSync(fd, text);
    }
    writeSync(fd, serializer.footer);
  } finally {
    closeSync(fd);
  }
}

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function nodeZlib(input: Buffer) {
  const runs: number[] = [];
  let size = 0;
  for (let run = 0; run < 3; run++) {
    const started = cpuMs();
    size = 0;
    for (let at = 0; at < input.length; at += RANGE_BYTES) {
      const range = input.subarray(at, at + RANGE_BYTES);
      size += zlib.deflateRawSync(range, { level, memLevel: DEFLATE_MEM_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
    }
    runs.push(Math.round(cpuMs() - started));
  }
  return { name: `node zlib -${level} (${process.versions.zlib}), 2.5 MB ranges`, cpuMs: Math.min(...runs), cpuMsRuns: runs, compressedBytes: size };
}

/** Each command's CPU (best of three, from bash's `times`) and its gzip file's size. */
function commands(file: string) {
  const candidates: { name: string; command: string; levels: string }[] = [
    { name: 'gzip', command: 'gzip', levels: `-${level}` },
    { name: 'pigz, one thread', command: 'pigz', levels: `-${level} -p 1` },
    { name: 'libdeflate', command: 'libdeflate-gzip', levels: `-${level}` },
    { name: 'libdeflate, one level up', command: 'libdeflate-gzip', levels: `-${level + 1}` },
    { name: 'ISA-L, its highest level', command: 'igzip', levels: '-3' },
  ];
  return candidates.map(({ name, command, levels }) => {
    if (spawnSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status !== 0) return { name: `${command} ${levels}`, available: false };
    const out = `${file}.${command}.gz`;
    const runs: number[] = [];
    for (let run = 0; run < 3; run++) {
      // `times` prints the shell's and then its children's user and system time.
      const result = spawnSync('bash', ['-c', `${command} ${levels} -c "$1" > "$2"; times`, 'bench', file, out], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
      const children = result.stdout.trim().split('\n').at(-1)!;
      runs.push(Math.round(children.split(/\s+/).reduce((ms, t) => ms + seconds(t) * 1000, 0)));
    }
    const size = statSync(out).size;
    rmSync(out);
    return { name: `${name}: ${command} ${levels}`, cpuMs: Math.min(...runs), cpuMsRuns: runs, compressedBytes: size };
  });
}

/** bash's `times` format: `0m1.234s`. */
function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}
