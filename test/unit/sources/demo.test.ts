import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoGroupNames, supportsTimeFilter } from '../../../src/sources/demo/index.js';
import { demoGroups } from '../../../src/sources/demo/registry.js';
import { rfc3339 } from '../../../src/sources/demo/timeline.js';
import { PermanentSourceError } from '../../../src/sources/types.js';
import { NOW, collect, givenDemoSource, mainRecords, request, type CollectedFile } from './demo-fixtures.js';

const catalogGroups = (
  JSON.parse(readFileSync(new URL('../../../src/catalog/google-resource-groups.json', import.meta.url), 'utf8')) as {
    resourceGroups: { resource: string }[];
  }
).resourceGroups.map((g) => g.resource);

const DAY_MS = 86_400_000;
const TIME_FILTERED = demoGroupNames.filter(supportsTimeFilter);

/** Timestamps (ms) of a time-filtered group's records. */
function timesOf(group: string, records: Record<string, unknown>[]): number[] {
  if (group === 'chrome.history') return records.map((r) => Math.floor((r.time_usec as number) / 1000));
  return records.map((r) => Date.parse(r.time as string));
}

/**
 * The records of a list group: every record file's (a settings object beside them, such as Nest Store's
 * payment details, is not one of the list's records), or the bookmarks of its bookmark file.
 */
function totalCount(files: CollectedFile[]): number {
  const lists = files.filter((f) => f.kind === 'records' && (f.format as { type: string }).type !== 'json-object');
  return lists.length > 0 ? lists.reduce((n, f) => n + mainCount(f), 0) : mainCount(files[0]!);
}

function mainCount(file: CollectedFile): number {
  if (file.kind === 'records') return file.records.length;
  return (
    Buffer.from(file.bytes)
      .toString('utf8')
      .match(/<DT><A /g) ?? []
  ).length;
}

describe('demo source: registry', () => {
  it('serves exactly the 74 groups of the Google catalog (73 listed, one retired)', () => {
    expect(catalogGroups).toHaveLength(74);
    expect([...demoGroupNames]).toEqual([...catalogGroups].sort());
  });

  it('treats only My Activity and Chrome history as time-filtered', () => {
    expect(TIME_FILTERED).toEqual([
      'chrome.history',
      'myactivity.maps',
      'myactivity.myadcenter',
      'myactivity.play',
      'myactivity.search',
      'myactivity.shopping',
      'myactivity.youtube',
    ]);
  });

  it('rejects a group it does not serve with a permanent error', async () => {
    await expect(collect(givenDemoSource(), request('maps.nope'))).rejects.toBeInstanceOf(PermanentSourceError);
  });

  it('rejects a recordsPerGroup that is not a whole number', () => {
    expect(() => givenDemoSource({ recordsPerGroup: -1 })).toThrow(/recordsPerGroup/);
    expect(() => givenDemoSource({ recordsPerGroup: 1.5 })).toThrow(/recordsPerGroup/);
  });

  it("with recordsPerGroup 0 still yields every group's files: empty lists, settings intact", async () => {
    const source = givenDemoSource({ recordsPerGroup: 0 });
    for (const group of demoGroupNames) {
      const files = await collect(source, request(group));
      expect(files.length, group).toBeGreaterThan(0);
      const first = files[0]!;
      const count = first.kind === 'records' ? first.records.length : 0;
      // A settings group is one object, or (Play Settings.json) one array of a few setting items.
      if (demoGroups[group]!.shape === 'single') expect(count, group).toBeGreaterThan(0);
      else expect(count, group).toBe(0);
    }
  });
});

describe('demo source: every group', () => {
  const N = 30;

  it.each([0, 1, 7, 200])('DATAPORT_DEMO_RECORDS=%i gives exactly that many records in every list group', async (n) => {
    const source = givenDemoSource({ recordsPerGroup: n });
    const counts: Record<string, number> = {};
    for (const group of demoGroupNames) {
      if (demoGroups[group]!.shape === 'list') counts[group] = totalCount(await collect(source, request(group)));
    }
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((g) => [g, n])));
  });

  it.each(demoGroupNames)('%s yields files holding recordsPerGroup records in all (or a settings record)', async (group) => {
    const files = await collect(givenDemoSource({ recordsPerGroup: N }), request(group));
    expect(files.length).toBeGreaterThan(0);
    const spec = demoGroups[group]!;
    if (spec.shape === 'single') expect(mainCount(files[0]!)).toBeGreaterThan(0);
    else expect(totalCount(files)).toBe(N);
    for (const file of files) {
      expect(file.path).not.toMatch(/^\/|\.\.|\\/);
      if (file.kind === 'bytes') {
        expect(file.bytes.length).toBeGreaterThan(0);
        continue;
      }
      const format = file.format as { type: string; columns?: string[] };
      if (format.type === 'json-object') expect(file.records).toHaveLength(1);
      if (format.type === 'csv') {
        for (const record of file.records) expect(Object.keys(record as object)).toEqual(format.columns);
      }
      // Every record survives JSON (no BigInt, no cycles) and is an object.
      for (const record of file.records) expect(typeof JSON.parse(JSON.stringify(record))).toBe('object');
    }
  });

  it('gives every file of an archive holding all groups its own path', async () => {
    const source = givenDemoSource({ recordsPerGroup: 5 });
    const paths: string[] = [];
    for (const group of demoGroupNames) for (const file of await collect(source, request(group))) paths.push(file.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("writes media groups' images as complete JPEGs", async () => {
    for (const group of ['maps.photos_videos', 'streetview.imagery', 'youtube.private_videos']) {
      const images = (await collect(givenDemoSource({ recordsPerGroup: 10 }), request(group))).filter(
        (f): f is Extract<CollectedFile, { kind: 'bytes' }> => f.kind === 'bytes' && f.path.endsWith('.jpg'),
      );
      expect(images.length, group).toBeGreaterThan(0);
      for (const { bytes } of images) {
        expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
        expect([...bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
        expect(bytes.length).toBeLessThan(2048);
      }
    }
  });
});

describe('demo source: determinism', () => {
  it('two sources with the same options give identical archives for every group', async () => {
    const a = givenDemoSource({ recordsPerGroup: 15 });
    const b = givenDemoSource({ recordsPerGroup: 15 });
    for (const group of demoGroupNames) {
      expect(await collect(b, request(group, { jobId: 'other-job' })), group).toEqual(await collect(a, request(group)));
    }
  });

  it('reading the same export twice gives the same records', async () => {
    const source = givenDemoSource();
    const first = await collect(source, request('myactivity.search'));
    const second = await collect(source, request('myactivity.search'));
    expect(second).toEqual(first);
  });

  it('different users get different data', async () => {
    const source = givenDemoSource();
    const alice = await mainRecords(source, request('myactivity.youtube', { userId: 'alice' }));
    const bob = await mainRecords(source, request('myactivity.youtube', { userId: 'bob' }));
    expect(alice).not.toEqual(bob);
  });

  it('formats My Activity times as RFC 3339 with milliseconds, like Date.toISOString', async () => {
    const records = await mainRecords(givenDemoSource({ recordsPerGroup: 500 }), request('myactivity.search'));
    for (const r of records) expect(r.time).toBe(new Date(r.time as string).toISOString());
    expect(rfc3339(Date.UTC(2024, 1, 29, 23, 59, 59, 7))).toBe('2024-02-29T23:59:59.007Z');
  });
});

describe('demo source: time', () => {
  const N = 40;

  it.each(TIME_FILTERED)('%s lists records newest first, none after the clock', async (group) => {
    const times = timesOf(group, await mainRecords(givenDemoSource({ recordsPerGroup: N }), request(group)));
    expect(times).toHaveLength(N);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeLessThan(times[i - 1]!);
    expect(times[0]!).toBeLessThanOrEqual(NOW.getTime());
  });

  it.each(TIME_FILTERED)('%s keeps to startTime/endTime, inclusive', async (group) => {
    const source = givenDemoSource({ recordsPerGroup: 10_000 });
    const all = timesOf(group, await mainRecords(source, request(group)));
    // Bounds that fall exactly on records: both ends are included.
    const endTime = new Date(all[5]!);
    const startTime = new Date(all[25]!);
    const inWindow = timesOf(group, await mainRecords(source, request(group, { startTime, endTime })));
    expect(inWindow).toEqual(all.slice(5, 26));
  });

  it('honours the window but still caps at the newest recordsPerGroup records', async () => {
    const source = givenDemoSource({ recordsPerGroup: 10 });
    const endTime = new Date(NOW.getTime() - 10 * DAY_MS);
    const times = timesOf('myactivity.search', await mainRecords(source, request('myactivity.search', { startTime: new Date(0), endTime })));
    expect(times).toHaveLength(10);
    expect(Math.max(...times)).toBeLessThanOrEqual(endTime.getTime());
  });

  it('gives nothing for a window before any record or after the clock', async () => {
    const source = givenDemoSource();
    const early = await mainRecords(source, request('myactivity.search', { endTime: new Date('2001-01-01T00:00:00Z') }));
    const future = await mainRecords(source, request('chrome.history', { startTime: new Date(NOW.getTime() + 1) }));
    expect(early).toEqual([]);
    expect(future).toEqual([]);
  });

  it('clamps an endTime in the future to the clock', async () => {
    const source = givenDemoSource();
    const future = await mainRecords(source, request('myactivity.maps', { endTime: new Date(NOW.getTime() + 365 * DAY_MS) }));
    expect(future).toEqual(await mainRecords(source, request('myactivity.maps')));
  });

  it('ignores startTime/endTime for groups without time filters', async () => {
    const source = givenDemoSource();
    const window = { startTime: new Date('2020-01-01T00:00:00Z'), endTime: new Date('2020-02-01T00:00:00Z') };
    for (const group of ['maps.reviews', 'youtube.comments', 'play.installs', 'chrome.settings']) {
      expect(await collect(source, request(group, window)), group).toEqual(await collect(source, request(group)));
    }
  });

  it('as the clock moves, new records appear at the head and older ones stay the same', async () => {
    let now = NOW;
    const source = givenDemoSource({ recordsPerGroup: 200, now: () => now });
    const before = await mainRecords(source, request('myactivity.search'));
    now = new Date(NOW.getTime() + 3 * DAY_MS);
    const after = await mainRecords(source, request('myactivity.search'));

    const newer = after.filter((r) => Date.parse(r.time as string) > NOW.getTime());
    expect(newer.length).toBeGreaterThan(0);
    const overlap = after.slice(newer.length);
    expect(overlap).toEqual(before.slice(0, overlap.length));
  });

  it("an incremental export from the last one's end time meets it without a gap or an overlap", async () => {
    let now = NOW;
    const source = givenDemoSource({ recordsPerGroup: 1000, now: () => now });
    const first = await mainRecords(source, request('chrome.history', { endTime: NOW }));
    now = new Date(NOW.getTime() + 2 * DAY_MS);
    const next = await mainRecords(source, request('chrome.history', { startTime: new Date(NOW.getTime() + 1), endTime: now }));
    const full = await mainRecords(source, request('chrome.history', { endTime: now }));
    expect([...next, ...first].slice(0, full.length)).toEqual(full);
  });

  it('exporting up to an earlier endTime later gives what an export then gave', async () => {
    let now = NOW;
    const source = givenDemoSource({ now: () => now });
    const then = await collect(source, request('myactivity.youtube'));
    now = new Date(NOW.getTime() + 30 * DAY_MS);
    expect(await collect(source, request('myactivity.youtube', { endTime: NOW }))).toEqual(then);
  });
});

describe('demo source: cancellation', () => {
  it("an already aborted request rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    controller.abort(reason);
    await expect(collect(givenDemoSource(), request('maps.reviews', { signal: controller.signal }))).rejects.toBe(reason);
  });

  it('aborting mid-file stops the records within about a thousand more', async () => {
    const controller = new AbortController();
    const reason = new Error('lease lost');
    const source = givenDemoSource({ recordsPerGroup: 100_000 });
    let read = 0;
    const run = async (): Promise<void> => {
      for await (const file of source.exportGroup(request('myactivity.search', { signal: controller.signal }))) {
        if (file.kind !== 'records') continue;
        for await (const _record of file.records) {
          if (++read === 10) controller.abort(reason);
        }
      }
    };
    await expect(run()).rejects.toBe(reason);
    expect(read).toBeLessThan(10 + 1100);
  });
});
