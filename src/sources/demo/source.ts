import { PermanentSourceError, TransientSourceError, type ArchiveFile, type ExportRequest, type Source } from '../types.js';
import { faultKey, sleep, type DemoFault, type FaultLedger } from './faults.js';
import type { DemoFile, GroupContext, GroupSpec } from './group-spec.js';
import { demoGroups, supportsTimeFilter } from './registry.js';
import { Timeline, seedOf, stepFor, type WindowBounds } from './timeline.js';

export interface DemoSourceOptions {
  /**
   * Records in a group's main file when the window is wide (`DATAPORT_DEMO_RECORDS`, default 200). With 0,
   * list files are empty; settings groups still hold their one record.
   */
  recordsPerGroup: number;
  /**
   * Parsed `DATAPORT_DEMO_FAULTS`, or a function read at the start of each group's export, so faults set
   * at run time (`dataport faults set`) apply to the next job without a restart.
   */
  faults: readonly DemoFault[] | (() => Promise<readonly DemoFault[]>);
  /** Durable fault counters (the store's in a server; `createMemoryFaultLedger()` in tests). */
  ledger: FaultLedger;
  /** Injected clock: records newer than `now()` do not exist yet. */
  now: () => Date;
}

/** How often (in records) a file checks `request.signal`: prompt enough, and free next to serialization. */
const ABORT_CHECK_INTERVAL = 1024;

/**
 * The `demo` source: deterministic, Takeout-shaped data for all of Google's resource groups, with faults
 * (`fail`, `flaky`, `slow`) that client developers can switch on to test their error paths.
 *
 * @example
 * const demo = createDemoSource({ recordsPerGroup: 200, faults: [], ledger: createMemoryFaultLedger(), now: () => new Date() });
 * for await (const file of demo.exportGroup({ userId: 'u1', group: 'chrome.history', jobId: 'j1', signal })) …
 */
export function createDemoSource(options: DemoSourceOptions): Source {
  const { recordsPerGroup, ledger, now } = options;
  if (!Number.isSafeInteger(recordsPerGroup) || recordsPerGroup < 0) {
    throw new Error(`demo source: recordsPerGroup must be a whole number, got ${recordsPerGroup}`);
  }
  const { faults: faultOption } = options;
  const currentFaults = typeof faultOption === 'function' ? faultOption : async () => faultOption;

  return {
    name: 'demo',
    async *exportGroup(request: ExportRequest): AsyncGenerator<ArchiveFile, void, undefined> {
      const { signal } = request;
      const spec = demoGroups[request.group];
      if (!spec) throw new PermanentSourceError(`demo source has no resource group "${request.group}"`);
      signal.throwIfAborted();

      const faults = (await currentFaults()).filter((f) => f.group === request.group);
      const slowMs = Math.max(0, ...faults.filter((f) => f.rule === 'slow').map((f) => f.value));
      if (slowMs > 0) await sleep(slowMs, signal);
      // Every fail rule hears of every job touching the group, so `fail:2` means the first two jobs even
      // when a `fail:1` on the same group already failed the first.
      let failure: DemoFault | undefined;
      for (const fault of faults) {
        if (fault.rule === 'fail' && (await ledger.claimFailure(faultKey(fault), request.jobId, fault.value))) {
          failure ??= fault;
        }
      }
      if (failure) throw new PermanentSourceError(`demo fault: ${faultKey(failure)}`);
      const flaky = faults.filter((f) => f.rule === 'flaky');
      const breakOff = async (): Promise<void> => {
        for (const fault of flaky) {
          if (await ledger.takeTransient(faultKey(fault), fault.value)) {
            throw new TransientSourceError(`demo fault: ${faultKey(fault)}`);
          }
        }
      };

      const shardArgs: Omit<DemoShardArgs, 'fileIndex'> = {
        userId: request.userId,
        group: request.group,
        startMs: request.startTime?.getTime(),
        endMs: request.endTime?.getTime(),
        recordsPerGroup,
        nowMs: now().getTime(),
      };
      const files = spec.files(contextFor(spec, shardArgs));
      for (const [fileIndex, file] of files.entries()) {
        signal.throwIfAborted();
        const breaksOff = fileIndex === 0 && flaky.length > 0;
        const archiveFile = toArchiveFile(file, signal, breaksOff ? breakOff : undefined);
        // A file a fault breaks off halfway must be read in order, here; any other window file may be made
        // in ranges by the exporter's threads (shard.ts), from the same arguments.
        if (archiveFile.kind === 'records' && file.kind === 'records' && file.slice && !breaksOff) {
          archiveFile.shards = { count: file.count, module: SHARD_MODULE, exportName: 'demoShard', args: { ...shardArgs, fileIndex } };
        }
        yield archiveFile;
      }
    },
  };
}

/** What one export of a group covers: the same arguments give the same records, here or in a worker thread. */
export interface DemoShardArgs {
  readonly userId: string;
  readonly group: string;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly recordsPerGroup: number;
  /** The export's clock reading, taken once so every range sees the same window. */
  readonly nowMs: number;
  /** Which of the group's files. */
  readonly fileIndex: number;
}

/** shard.ts beside this file, as compiled (.js) or as TypeScript source (.ts, under tsx or vitest). */
const SHARD_MODULE = new URL(`./shard${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

export function contextFor(spec: GroupSpec, args: Omit<DemoShardArgs, 'fileIndex'>): GroupContext {
  const { userId, group, recordsPerGroup, nowMs } = args;
  // Google applies startTime/endTime only to the time-filtered groups; the rest always cover everything up
  // to now. Nothing after the clock exists yet, whatever endTime says.
  const filtered = supportsTimeFilter(group);
  const endMs = Math.min(nowMs, (filtered ? args.endMs : undefined) ?? nowMs);
  const startMs = filtered ? args.startMs : undefined;
  const bounds: WindowBounds = { endMs, startMs, limit: recordsPerGroup };
  const seed = seedOf(userId, group);
  const window = new Timeline(seed, stepFor(spec.spanDays, recordsPerGroup)).window(bounds);
  return {
    userId,
    group,
    seed,
    userSeed: seedOf(userId, ''),
    nowMs,
    window,
    subWindow(part, spanDays, limit) {
      const timeline = new Timeline(seedOf(userId, group, part), stepFor(spanDays, limit));
      return timeline.window({ endMs, limit });
    },
  };
}

/** Adds cancellation checks and, for the group's first file, the `flaky` break-off halfway through. */
function toArchiveFile(file: DemoFile, signal: AbortSignal, breakOff: (() => Promise<void>) | undefined): ArchiveFile {
  const half = Math.floor(file.count / 2);
  if (file.kind === 'bytes') {
    return {
      kind: 'bytes',
      path: file.path,
      content: guardedAsync(file.chunks, signal, half, breakOff),
      ...(file.records !== undefined ? { records: file.records } : {}),
    };
  }
  const { records } = file;
  return {
    kind: 'records',
    path: file.path,
    format: file.format,
    records: breakOff ? guardedAsync(records, signal, half, breakOff) : { [Symbol.iterator]: () => guarded(records, signal) },
  };
}

function* guarded<T>(items: Iterable<T>, signal: AbortSignal): Generator<T, void, undefined> {
  let n = 0;
  for (const item of items) {
    if (n++ % ABORT_CHECK_INTERVAL === 0) signal.throwIfAborted();
    yield item;
  }
}

async function* guardedAsync<T>(
  items: Iterable<T>,
  signal: AbortSignal,
  half: number,
  breakOff: (() => Promise<void>) | undefined,
): AsyncGenerator<T, void, undefined> {
  let n = 0;
  for (const item of items) {
    if (n === half && breakOff) await breakOff();
    if (n % ABORT_CHECK_INTERVAL === 0) signal.throwIfAborted();
    yield item;
    n++;
  }
  if (n <= half && breakOff) await breakOff();
}
