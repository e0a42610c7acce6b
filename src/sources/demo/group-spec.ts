import type { RecordFormat } from '../types.js';
import type { Rng, TimelineWindow } from './timeline.js';

/**
 * One file a demo group yields, before the source adds cancellation checks and faults. `count` is the
 * number of records (or byte chunks) it will produce: the `flaky` fault breaks off after half of them.
 * `records`/`chunks` are re-iterable, so a file can be read twice with the same result.
 */
export type DemoFile =
  | {
      kind: 'records';
      path: string;
      format: RecordFormat;
      records: Iterable<unknown>;
      count: number;
      /** Records at positions `[from, to)` alone, for files walked from a window (see shard.ts). */
      slice?: (from: number, to: number) => Iterable<unknown>;
    }
  /** `records`: the entries a list in a format of its own holds (a bookmark file), for the archive's index. */
  | { kind: 'bytes'; path: string; chunks: Iterable<Uint8Array>; count: number; records?: number };

/** What a group's generator knows about one export. */
export interface GroupContext {
  readonly userId: string;
  readonly group: string;
  /** Seed of this user's group: every value in it derives from this and a record index. */
  readonly seed: number;
  /** Seed of the user alone: what several groups share (name, home city, channel). */
  readonly userSeed: number;
  /** The export's clock reading. */
  readonly nowMs: number;
  /** The records this export covers on the group's main timeline, newest first. */
  readonly window: TimelineWindow;
  /**
   * A second timeline of the same group for a secondary file (a playlist's items, a photo list): its own
   * seed, `spanDays` for `limit` records, same upper bound as the main window.
   */
  subWindow(part: string, spanDays: number, limit: number): TimelineWindow;
}

export interface GroupSpec {
  /** How many days `recordsPerGroup` records span, which sets the timeline step (a plausible pace). */
  readonly spanDays: number;
  /**
   * `list`: the first file holds one record per timeline entry of the window; `single`: the group is one
   * settings-like record, a one-row file (a channel), or a short fixed list of settings (Play Settings.json).
   */
  readonly shape: 'list' | 'single';
  /** The group's files; the first is the main one. Built lazily: records are produced as they are read. */
  files(ctx: GroupContext): DemoFile[];
}

/**
 * When a settings-like group last changed: the newest entry of a slow timeline (one change every few
 * months), so the value is stable between exports and moves on as the clock does.
 */
export function settingsChangedMs(ctx: GroupContext): number {
  const changes = ctx.subWindow('settings-changes', 100, 1);
  return changes.count > 0 ? changes.timeline.timeOf(changes.newestK) : ctx.nowMs;
}

/** A re-iterable stream of one record per window entry, newest first. */
function walk<T>(window: TimelineWindow, make: (k: number, timeMs: number, rng: Rng) => T): Iterable<T> {
  return { [Symbol.iterator]: () => window.map(make) };
}

/** The group's main file: one record per entry of the window. */
export function listFile<T>(ctx: GroupContext, path: string, format: RecordFormat, make: (k: number, timeMs: number, rng: Rng) => T): DemoFile {
  return windowFile(ctx.window, path, format, make);
}

/** A file of one record per entry of another window. */
export function windowFile<T>(window: TimelineWindow, path: string, format: RecordFormat, make: (k: number, timeMs: number, rng: Rng) => T): DemoFile {
  return {
    kind: 'records',
    path,
    format,
    records: walk(window, make),
    count: window.count,
    slice: (from, to) => walk(window.slice(from, to), make),
  };
}

/** A settings-like file: one JSON object. */
export function objectFile(path: string, value: object): DemoFile {
  return { kind: 'records', path, format: { type: 'json-object' }, records: [value], count: 1 };
}

/** A raw file of one chunk. */
export function bytesFile(path: string, content: Uint8Array): DemoFile {
  return { kind: 'bytes', path, chunks: [content], count: 1 };
}

/** GeoJSON as Google Takeout writes it for Maps: `{"type": "FeatureCollection", "features": [...]}`. */
export const GEOJSON: RecordFormat = {
  type: 'json-array',
  wrapper: { key: 'features', fields: { type: 'FeatureCollection' } },
};

export const JSON_ARRAY: RecordFormat = { type: 'json-array' };

export function csv(columns: readonly string[], options: { header?: boolean } = {}): RecordFormat {
  return options.header === false ? { type: 'csv', columns, header: false } : { type: 'csv', columns };
}

/** `{...fields, "<key>": [records]}`: `fields` are the file's other, fixed sections. */
export function wrapped(key: string, fields?: Record<string, unknown>): RecordFormat {
  return { type: 'json-array', wrapper: fields ? { key, fields } : { key } };
}
