import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { constants, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArchive, createShardPool, type ArchiveGroup } from '../../../src/export/index.js';
import { MIN_SHARDED_RECORDS } from '../../../src/export/archive-builder.js';
import { googleCatalog } from '../../../src/catalog/index.js';
import { PermanentSourceError, type ArchiveFile, type RecordFormat } from '../../../src/sources/index.js';
import { createDemoSource, createMemoryFaultLedger } from '../../../src/sources/demo/index.js';
import { readZip, tempBlobStores } from '../../helpers/archive.js';
import { numbers } from './shard-producers.js';

const pool = createShardPool(2);
afterAll(() => pool.close());

const store = tempBlobStores('dataport-shards-');

const describeJob = { archiveJobId: 'job', exportTime: '2026-01-01T00:00:00.000Z', generator: 'test' };
const PRODUCERS = new URL('./shard-producers.ts', import.meta.url).href;

interface Build {
  groups: () => ArchiveGroup[];
  partSizeBytes?: number;
  threads: boolean;
  signal?: AbortSignal;
}

/** Builds an archive and returns every entry's bytes by name, and the index. */
async function build({ groups, partSizeBytes = 2 ** 40, threads, signal = new AbortController().signal }: Build) {
  const { root, blobs } = store();
  const { parts, index } = await buildArchive({
    groups: groups(),
    blobs,
    partKey: (i) => `part-${i}.zip`,
    partSizeBytes,
    compressionLevel: 6,
    mtime: new Date(0),
    signal,
    describe: describeJob,
    ...(threads ? { shardPool: pool } : {}),
  });
  const entries = new Map<string, Buffer>();
  for (const part of parts) {
    for (const entry of await readZip(readFileSync(path.join(root, part.blobKey)))) entries.set(entry.name, entry.content);
  }
  return { parts, index, entries, root };
}

/** A file of `{ i, text }` records offered both ways, from shard-producers.ts: whole as an iterable, and in ranges to the threads. */
function numbered(count: number, format: RecordFormat = { type: 'json-array' }, exportName = 'numbers', args: unknown = { word: 'n' }): ArchiveFile {
  return {
    kind: 'records',
    path: 'Numbers/Numbers.json',
    format,
    records: numbers({ word: 'n' }, 0, count),
    shards: { count, module: PRODUCERS, exportName, args },
  };
}

const one = (file: () => ArchiveFile) => () => [
  {
    name: 'g.numbers',
    files: (async function* () {
      yield file();
    })(),
  },
];

describe('an export made in ranges by worker threads', () => {
  it('writes every demo group byte for byte as the export thread alone does', async () => {
    const demo = createDemoSource({
      recordsPerGroup: MIN_SHARDED_RECORDS + 500,
      faults: [],
      ledger: createMemoryFaultLedger(),
      now: () => new Date('2026-06-01T00:00:00Z'),
    });
    const signal = new AbortController().signal;
    const groups = () => googleCatalog().groups.map((g) => ({ name: g.name, files: demo.exportGroup({ userId: 'ada', group: g.name, jobId: 'j', signal }) }));
    const threaded = await build({ groups, threads: true });
    const alone = await build({ groups, threads: false });
    expect([...threaded.entries.keys()]).toEqual([...alone.entries.keys()]);
    for (const [name, content] of alone.entries) expect(threaded.entries.get(name)!.equals(content), name).toBe(true);
    expect(threaded.index).toEqual(alone.index);
    // The threads did make files: the demo's long files offer ranges, and this many records are worth it.
    let offered = 0;
    for (const g of googleCatalog().groups) {
      for await (const f of demo.exportGroup({ userId: 'ada', group: g.name, jobId: 'j', signal })) if (f.kind === 'records' && f.shards) offered++;
    }
    expect(offered).toBeGreaterThan(40);
  });

  it('two exports sharing the threads at once each get their own records', async () => {
    const demo = createDemoSource({ recordsPerGroup: 30_000, faults: [], ledger: createMemoryFaultLedger(), now: () => new Date('2026-06-01T00:00:00Z') });
    const signal = new AbortController().signal;
    const groupsOf = (user: string, group: string) => () => [{ name: group, files: demo.exportGroup({ userId: user, group, jobId: user, signal }) }];
    const [a, b] = await Promise.all([
      build({ groups: groupsOf('ada', 'myactivity.search'), threads: true }),
      build({ groups: groupsOf('bob', 'chrome.history'), threads: true }),
    ]);
    const [aloneA, aloneB] = [
      await build({ groups: groupsOf('ada', 'myactivity.search'), threads: false }),
      await build({ groups: groupsOf('bob', 'chrome.history'), threads: false }),
    ];
    for (const [threaded, alone] of [
      [a, aloneA],
      [b, aloneB],
    ] as const) {
      expect([...threaded.entries.keys()]).toEqual([...alone.entries.keys()]);
      for (const [name, content] of alone.entries) expect(threaded.entries.get(name)!.equals(content), name).toBe(true);
    }
  });

  it.each<[string, RecordFormat]>([
    ['json-array', { type: 'json-array' }],
    ['wrapped json', { type: 'json-array', wrapper: { key: 'features', fields: { type: 'FeatureCollection' } } }],
    ['ndjson', { type: 'ndjson' }],
    ['csv', { type: 'csv', columns: ['i', 'text'] }],
  ])('joins ranges of %s exactly', async (_name, format) => {
    const file = () => numbered(30_000, format);
    const threaded = await build({ groups: one(file), threads: true });
    const alone = await build({ groups: one(file), threads: false });
    const content = threaded.entries.get('Portability/Numbers/Numbers.json')!;
    expect(content.equals(alone.entries.get('Portability/Numbers/Numbers.json')!)).toBe(true);
    expect(threaded.index.totals.records).toBe(30_000);
  });

  it('rolls a file over into continuation files while ranges are in flight; every record is there once, in order', async () => {
    const { parts, index, entries } = await build({ groups: one(() => numbered(60_000)), partSizeBytes: 96 * 1024, threads: true });
    expect(parts.length).toBeGreaterThan(2);
    const files = index.services[0]!.files;
    expect(files.map((f) => f.path)).toEqual(files.map((_, n) => (n === 0 ? 'Portability/Numbers/Numbers.json' : `Portability/Numbers/Numbers-${n + 1}.json`)));
    let next = 0;
    for (const f of files) {
      const values = JSON.parse(entries.get(f.path)!.toString()) as { i: number }[];
      expect(values.length).toBe(f.records);
      expect(entries.get(f.path)!.length).toBe(f.sizeBytes);
      for (const v of values) expect(v.i).toBe(next++);
    }
    expect(next).toBe(60_000);
  });

  it('makes a short file on the export thread, and a stored (level 0) archive too', async () => {
    const { root, blobs } = store();
    // A producer that always fails proves the threads were not asked.
    const file = (count: number) => (): ArchiveFile => ({ ...numbered(count, { type: 'json-array' }, 'failsAt', { at: 0 }) });
    const short = await buildArchive({
      groups: one(file(MIN_SHARDED_RECORDS - 1))(),
      blobs,
      partKey: () => 'short.zip',
      partSizeBytes: 2 ** 40,
      compressionLevel: 6,
      mtime: new Date(0),
      signal: new AbortController().signal,
      describe: describeJob,
      shardPool: pool,
    });
    expect(short.index.totals.records).toBe(MIN_SHARDED_RECORDS - 1);
    const stored = await buildArchive({
      groups: one(file(MIN_SHARDED_RECORDS * 2))(),
      blobs,
      partKey: () => 'stored.zip',
      partSizeBytes: 2 ** 40,
      compressionLevel: 0,
      mtime: new Date(0),
      signal: new AbortController().signal,
      describe: describeJob,
      shardPool: pool,
    });
    expect(stored.index.totals.records).toBe(MIN_SHARDED_RECORDS * 2);
    expect((await readZip(readFileSync(path.join(root, 'stored.zip')))).length).toBe(2);
  });

  it("fails the export with the source's own error class when a range fails, and leaves the pool working", async () => {
    const failing = build({ groups: one(() => numbered(50_000, { type: 'json-array' }, 'failsAt', { at: 33_333 })), threads: true });
    await expect(failing).rejects.toBeInstanceOf(PermanentSourceError);
    await expect(failing).rejects.toThrow('record 33333 is unreadable');
    const after = await build({ groups: one(() => numbered(10_000)), threads: true });
    expect(after.index.totals.records).toBe(10_000);
  });

  it('fails the export when a producer yields fewer records than its range holds', async () => {
    await expect(build({ groups: one(() => numbered(10_000, { type: 'ndjson' }, 'short')), threads: true })).rejects.toThrow(/gave \d+ records for positions/);
  });

  it('fails the export when a thread dies mid-range, and replaces the thread for the next export', async () => {
    await expect(build({ groups: one(() => numbered(20_000, { type: 'json-array' }, 'killsThreadAt', { at: 12_345 })), threads: true })).rejects.toThrow(
      /export worker thread stopped \(exit code 3\)/,
    );
    const after = await build({ groups: one(() => numbered(10_000)), threads: true });
    expect(after.index.totals.records).toBe(10_000);
  });

  it('gives a range queued behind a dying thread to its replacement: only the range being made fails', async () => {
    const single = createShardPool(1);
    try {
      const task = { module: PRODUCERS, args: { at: 5 }, format: { type: 'ndjson' } as RecordFormat, level: 1 };
      // Both are posted to the one thread at once (the next range waits in the thread, not in this one).
      const dying = single.run({ ...task, exportName: 'killsThreadAt', from: 0, to: 10 });
      const queued = single.run({ ...task, exportName: 'numbers', args: { word: 'n' }, from: 10, to: 20 });
      await expect(dying).rejects.toThrow(/exit code 3/);
      const made = await queued;
      expect(made.records).toBe(10);
      const text = inflateRawSync(made.deflated, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
      expect(
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { i: number }).i),
      ).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    } finally {
      await single.close();
    }
  });

  it('stops on abort with ranges in flight and leaves no object behind', async () => {
    const controller = new AbortController();
    const { root, blobs } = store();
    const building = buildArchive({
      groups: one(() => numbered(2_000_000))(),
      blobs,
      partKey: () => 'a.zip',
      partSizeBytes: 2 ** 40,
      compressionLevel: 6,
      mtime: new Date(0),
      signal: controller.signal,
      describe: describeJob,
      shardPool: pool,
    });
    setTimeout(() => controller.abort(new Error('cancelled')), 150);
    await expect(building).rejects.toThrow('cancelled');
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('the export threads', () => {
  it('start all at once on prestart, and idle threads do not keep the process alive', () => {
    const poolModule = new URL('../../../src/export/shard-pool.ts', import.meta.url).href;
    // A process of its own: it must end by itself once its script is done, with both threads up and idle.
    const script = [
      `import { createShardPool } from ${JSON.stringify(poolModule)};`,
      'const pool = createShardPool(2);',
      'pool.prestart();',
      'await new Promise((r) => setTimeout(r, 200));',
      'console.log(pool.started);',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('2');
  });
});
