import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryFaultLedger, demoGroupNames, parseDemoFaults } from '../../../src/sources/demo/index.js';
import { PermanentSourceError, TransientSourceError } from '../../../src/sources/types.js';
import { collect, givenDemoSource, request } from './demo-fixtures.js';

describe('parseDemoFaults', () => {
  it('an empty or blank spec gives no faults', () => {
    expect(parseDemoFaults('', demoGroupNames)).toEqual([]);
    expect(parseDemoFaults('  ', demoGroupNames)).toEqual([]);
  });

  it('parses a comma list, allowing spaces and several rules for one group', () => {
    expect(parseDemoFaults(' maps.reviews=fail:1, myactivity.search = flaky:2 ,maps.reviews=slow:250,', demoGroupNames)).toEqual([
      { group: 'maps.reviews', rule: 'fail', value: 1 },
      { group: 'myactivity.search', rule: 'flaky', value: 2 },
      { group: 'maps.reviews', rule: 'slow', value: 250 },
    ]);
  });

  it('names an unknown resource group', () => {
    expect(() => parseDemoFaults('maps.reviews=fail:1,maps.reviewz=fail:1', demoGroupNames)).toThrow(
      'DATAPORT_DEMO_FAULTS: "maps.reviewz=fail:1": unknown resource group "maps.reviewz"',
    );
  });

  it.each([
    ['maps.reviews', /expected group=rule:value/],
    ['maps.reviews=fail', /expected group=rule:value/],
    ['=fail:1', /expected group=rule:value/],
    ['maps.reviews=explode:1', /"maps.reviews=explode:1": unknown rule "explode"/],
    ['maps.reviews=fail:x', /"maps.reviews=fail:x": fail needs a whole number of jobs, got "x"/],
    ['maps.reviews=flaky:-1', /flaky needs a whole number of errors, got "-1"/],
    ['maps.reviews=slow:1.5', /slow needs a whole number of milliseconds, got "1.5"/],
    ['maps.reviews=slow:99999999999999999999', /slow needs a whole number of milliseconds/],
  ])('rejects %j with a message naming the item', (spec, message) => {
    expect(() => parseDemoFaults(spec, demoGroupNames)).toThrow(message);
  });
});

describe('createMemoryFaultLedger', () => {
  it('claimFailure: the first N distinct jobs, each keeping its answer', async () => {
    const ledger = createMemoryFaultLedger();
    expect(await ledger.claimFailure('k', 'a', 2)).toBe(true);
    expect(await ledger.claimFailure('k', 'a', 2)).toBe(true);
    expect(await ledger.claimFailure('k', 'b', 2)).toBe(true);
    expect(await ledger.claimFailure('k', 'c', 2)).toBe(false);
    expect(await ledger.claimFailure('k', 'c', 2)).toBe(false);
    expect(await ledger.claimFailure('k', 'a', 2)).toBe(true);
    expect(await ledger.claimFailure('other', 'c', 2)).toBe(true);
  });

  it('takeTransient: N in total, then none', async () => {
    const ledger = createMemoryFaultLedger();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ledger.takeTransient('k', 2));
    expect(answers).toEqual([true, true, false, false]);
    expect(await ledger.takeTransient('other', 1)).toBe(true);
  });
});

describe('demo faults: fail', () => {
  it('fails the first N distinct jobs for the group, again on a redo, then lets a retry through', async () => {
    const source = givenDemoSource({ faults: parseDemoFaults('maps.reviews=fail:1', demoGroupNames) });
    const first = collect(source, request('maps.reviews', { jobId: 'job-a' }));
    await expect(first).rejects.toBeInstanceOf(PermanentSourceError);
    await expect(first).rejects.toThrow('demo fault: maps.reviews=fail:1');
    // The same job redone by another worker still fails: it is among the first N.
    await expect(collect(source, request('maps.reviews', { jobId: 'job-a' }))).rejects.toBeInstanceOf(PermanentSourceError);
    // The retry is a new job.
    expect((await collect(source, request('maps.reviews', { jobId: 'job-b' }))).length).toBeGreaterThan(0);
  });

  it('leaves other groups alone', async () => {
    const source = givenDemoSource({ faults: parseDemoFaults('maps.reviews=fail:5', demoGroupNames) });
    expect((await collect(source, request('maps.starred_places'))).length).toBe(1);
  });

  it('keeps separate counters for two rules on one group', async () => {
    const source = givenDemoSource({ faults: parseDemoFaults('play.installs=fail:1,play.installs=fail:2', demoGroupNames) });
    await expect(collect(source, request('play.installs', { jobId: 'a' }))).rejects.toThrow('play.installs=fail:1');
    await expect(collect(source, request('play.installs', { jobId: 'b' }))).rejects.toThrow('play.installs=fail:2');
    await expect(collect(source, request('play.installs', { jobId: 'c' }))).resolves.toHaveLength(1);
  });
});

describe('demo faults: flaky', () => {
  /** Records of the first file read before the export broke off, and the error. */
  async function attempt(source: ReturnType<typeof givenDemoSource>, group: string): Promise<{ read: number; error?: unknown }> {
    let read = 0;
    try {
      for await (const file of source.exportGroup(request(group))) {
        if (file.kind === 'records') for await (const _ of file.records) read++;
        else for await (const _ of file.content) read++;
      }
      return { read };
    } catch (error) {
      return { read, error };
    }
  }

  it('breaks off halfway through the first file with a transient error N times, then succeeds', async () => {
    const source = givenDemoSource({ recordsPerGroup: 40, faults: parseDemoFaults('myactivity.search=flaky:2', demoGroupNames) });
    const first = await attempt(source, 'myactivity.search');
    const second = await attempt(source, 'myactivity.search');
    const third = await attempt(source, 'myactivity.search');
    expect(first.error).toBeInstanceOf(TransientSourceError);
    expect((first.error as Error).message).toBe('demo fault: myactivity.search=flaky:2');
    expect(first.read).toBe(20);
    expect(second.error).toBeInstanceOf(TransientSourceError);
    expect(third).toEqual({ read: 40 });
  });

  it('breaks off before the only record of a settings group', async () => {
    const source = givenDemoSource({ faults: parseDemoFaults('chrome.settings=flaky:1', demoGroupNames) });
    const first = await attempt(source, 'chrome.settings');
    expect(first.error).toBeInstanceOf(TransientSourceError);
    expect(first.read).toBe(0);
    expect((await attempt(source, 'chrome.settings')).error).toBeUndefined();
  });

  it('breaks off in the middle of a raw file too', async () => {
    const source = givenDemoSource({ recordsPerGroup: 2000, faults: parseDemoFaults('chrome.bookmarks=flaky:1', demoGroupNames) });
    const first = await attempt(source, 'chrome.bookmarks');
    expect(first.error).toBeInstanceOf(TransientSourceError);
    expect(first.read).toBeGreaterThan(0);
    const second = await attempt(source, 'chrome.bookmarks');
    expect(second.error).toBeUndefined();
    expect(second.read).toBeGreaterThan(first.read);
  });

  it('the records that do arrive are the same as in the successful export', async () => {
    const faults = parseDemoFaults('chrome.history=flaky:1', demoGroupNames);
    const flaky = givenDemoSource({ recordsPerGroup: 10, faults });
    const partial: unknown[] = [];
    await expect(
      (async () => {
        for await (const file of flaky.exportGroup(request('chrome.history'))) {
          if (file.kind === 'records') for await (const r of file.records) partial.push(r);
        }
      })(),
    ).rejects.toBeInstanceOf(TransientSourceError);
    const [full] = await collect(flaky, request('chrome.history'));
    expect(full?.kind === 'records' && full.records.slice(0, 5)).toEqual(partial);
  });
});

describe('demo faults: slow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the group back for the given time', async () => {
    vi.useFakeTimers();
    const source = givenDemoSource({ faults: parseDemoFaults('maps.reviews=slow:5000', demoGroupNames) });
    let settled = false;
    const run = collect(source, request('maps.reviews')).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(run).resolves.toHaveLength(1);
  });

  it("stops waiting as soon as the request is aborted, with the signal's reason", async () => {
    const source = givenDemoSource({ faults: parseDemoFaults('maps.reviews=slow:600000', demoGroupNames) });
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const run = collect(source, request('maps.reviews', { signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 5);
    await expect(run).rejects.toBe(reason);
  });

  it('a slow group that also fails fails after the wait', async () => {
    vi.useFakeTimers();
    const source = givenDemoSource({ faults: parseDemoFaults('maps.reviews=slow:1000,maps.reviews=fail:1', demoGroupNames) });
    const run = collect(source, request('maps.reviews'));
    const outcome = run.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toBeInstanceOf(PermanentSourceError);
  });
});
