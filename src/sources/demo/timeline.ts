/**
 * The demo source's model of time: each resource group of each user is an endless, deterministic timeline.
 * Record `k` (0, 1, 2, …) happens at `T0 + k*step + jitter(k)` with `jitter(k) < step`, so timestamps grow
 * strictly with `k`, and its content is a pure function of `(seed, k)`. An export takes the newest records of
 * a window, so as the clock moves new records appear at the head while old ones never change — what an
 * incremental (time-based) client needs to test against.
 *
 * Everything here runs once per record on the hot path of multi-GB benchmark exports, so it avoids
 * allocation, `Intl`, `Date` objects and crypto: the PRNG is mulberry32 and timestamps come from lookup tables.
 */

/** Where every timeline starts: early enough that years of records fit before any plausible clock. */
export const TIMELINE_START_MS = Date.UTC(2008, 0, 1);

/** A step below one second would make timestamps collide after rounding to Chrome's or CSV precision. */
const MIN_STEP_MS = 1000;

const DAY_MS = 86_400_000;

/** 32-bit FNV-1a of a string; seeds a timeline from `user` + `group`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes a seed with an integer (murmur3's finaliser): the per-record seed. */
export function mix32(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k | 0, 0x9e3779b1) ^ Math.imul((k / 4294967296) | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of one user's resource group (or of a named sub-timeline of it). */
export function seedOf(userId: string, group: string, part = ''): number {
  return fnv1a32(`${userId}\u0000${group}\u0000${part}`);
}

/** mulberry32: a few integer operations per number, good enough for fake data. Reseeded per record. */
export class Rng {
  private state: number;

  constructor(seed = 0) {
    this.state = seed >>> 0;
  }

  reseed(seed: number): this {
    this.state = seed >>> 0;
    return this;
  }

  /** Uniform unsigned 32-bit integer. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** `length` characters of `alphabet` (ids such as YouTube's). */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

/**
 * Values that records pick from (queries, videos, places): entry `i` is a pure function of the seed and `i`,
 * built the first time it is used. A 20-record export uses a few entries of pools of up to 1,024; building
 * them all was ~8 % of the server's thread under 200 initiates/s, for values no record used.
 */
export class Pool<T> {
  private readonly items: (T | undefined)[];
  private readonly rng = new Rng();

  constructor(
    private readonly seed: number,
    readonly length: number,
    private readonly make: (rng: Rng, index: number) => T,
  ) {
    this.items = new Array<T | undefined>(length).fill(undefined);
  }

  /** Entry `i`, built on first use (its own Rng, so the order of use does not matter). */
  at(i: number): T {
    let item = this.items[i];
    if (item === undefined) {
      if (!(i >= 0 && i < this.length)) throw new RangeError(`pool entry ${i} of ${this.length}`);
      item = deepFreeze(this.make(this.rng.reseed(mix32(this.seed ^ 0x2545f491, i)), i));
      this.items[i] = item;
    }
    return item;
  }

  /** A uniformly random entry: draws from `rng` exactly as `rng.pick` on an array does. */
  pick(rng: Rng): T {
    return this.at(rng.int(this.length));
  }
}

export function makePool<T>(seed: number, size: number, make: (rng: Rng, index: number) => T): Pool<T> {
  return new Pool(seed, size, make);
}

/**
 * Pool entries are shared by many records, so they are frozen: nothing may change one under another
 * record, and the export serializes a deeply frozen value once and reuses its text (export/json-record.ts).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The timeline step that makes `records` records span about `spanDays` days. */
export function stepFor(spanDays: number, records: number): number {
  return Math.max(MIN_STEP_MS, Math.floor((spanDays * DAY_MS) / Math.max(1, records)));
}

export interface WindowBounds {
  /** Inclusive upper bound (already clamped to the clock). */
  readonly endMs: number;
  /** Inclusive lower bound, if any. */
  readonly startMs?: number;
  /** At most this many records: the newest ones. */
  readonly limit: number;
}

export class Timeline {
  private readonly jitterSeed: number;

  constructor(
    readonly seed: number,
    readonly stepMs: number,
  ) {
    this.jitterSeed = mix32(seed, 0x6a09e667);
  }

  /** Timestamp (ms since epoch) of record k; strictly increasing in k. */
  timeOf(k: number): number {
    const jitter = Math.floor((mix32(this.jitterSeed, k) / 4294967296) * this.stepMs);
    return TIMELINE_START_MS + k * this.stepMs + jitter;
  }

  /** The newest `limit` records whose timestamps fall within the bounds. */
  window(bounds: WindowBounds): TimelineWindow {
    let newest = Math.floor((bounds.endMs - TIMELINE_START_MS) / this.stepMs);
    if (newest >= 0 && this.timeOf(newest) > bounds.endMs) newest--;
    let oldest = Math.max(0, newest - Math.max(0, Math.floor(bounds.limit)) + 1);
    if (bounds.startMs !== undefined && bounds.startMs > TIMELINE_START_MS) {
      let first = Math.floor((bounds.startMs - TIMELINE_START_MS) / this.stepMs);
      if (this.timeOf(first) < bounds.startMs) first++;
      oldest = Math.max(oldest, first);
    }
    return new TimelineWindow(this, newest, Math.max(0, newest - oldest + 1));
  }
}

/** A run of consecutive records of a timeline, walked newest first. */
export class TimelineWindow {
  constructor(
    readonly timeline: Timeline,
    /** Index of the newest record (meaningless when `count` is 0). */
    readonly newestK: number,
    readonly count: number,
  ) {}

  /** The newest `n` records of this window (all of them when it holds fewer): the few that get extra files. */
  newest(n: number): TimelineWindow {
    return new TimelineWindow(this.timeline, this.newestK, Math.min(Math.max(0, n), this.count));
  }

  /** Positions `[from, to)` of this window (0 is the newest record): the range a worker thread produces. */
  slice(from: number, to: number): TimelineWindow {
    const start = Math.min(Math.max(0, from), this.count);
    const end = Math.min(Math.max(start, to), this.count);
    return new TimelineWindow(this.timeline, this.newestK - start, end - start);
  }

  /**
   * The window's records, newest first: `make` gets the record index, its timestamp and an Rng seeded for
   * that record alone, so the same k always gives the same record. The Rng is shared: use it before returning.
   */
  *map<T>(make: (k: number, timeMs: number, rng: Rng) => T): Generator<T, void, undefined> {
    const { timeline } = this;
    const rng = new Rng();
    const seed = timeline.seed;
    const end = this.newestK - this.count;
    for (let k = this.newestK; k > end; k--) {
      yield make(k, timeline.timeOf(k), rng.reseed(mix32(seed, k)));
    }
  }
}

// ---- timestamp formatting -------------------------------------------------------------------------------
// Records of one export are close in time, so the `YYYY-MM-DDT` prefix is cached per day and the rest comes
// from tables; about 3x faster than Date.prototype.toISOString, which allocates a Date per call.

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

let cachedDay = Number.NaN;
let cachedDayPrefix = '';

function dayPrefix(day: number): string {
  if (day !== cachedDay) {
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  return cachedDayPrefix;
}

/** `2026-03-01T12:34:56` (no fraction, no zone) of a ms timestamp. */
function dateTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let rest = Math.floor(ms - day * DAY_MS);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${dayPrefix(day)}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}`;
}

/** RFC 3339 with milliseconds, as My Activity writes it: `2026-03-01T12:34:56.789Z`. */
export function rfc3339(ms: number): string {
  return `${dateTime(ms)}.${THREE_DIGITS[ms % 1000]}Z`;
}

/** RFC 3339 to the second: `2026-03-01T12:34:56Z`. */
export function rfc3339Seconds(ms: number): string {
  return `${dateTime(ms)}Z`;
}

/**
 * YouTube's CSV timestamps: microseconds and a numeric zone, `2023-09-19T17:42:53.434647+00:00`.
 * `micros` (0-999) fills the digits below the millisecond.
 */
export function rfc3339Micros(ms: number, micros: number): string {
  return `${dateTime(ms)}.${THREE_DIGITS[ms % 1000]}${THREE_DIGITS[micros % 1000]}+00:00`;
}

/** Microseconds since the Unix epoch (Chrome history's `time_usec`). */
export function unixMicros(ms: number, micros: number): number {
  return ms * 1000 + (micros % 1000);
}

/**
 * Microseconds since 1601-01-01 (Chrome's internal "WebKit" time, used in `Addresses and more.json` and Settings.json search engines). Kept to whole
 * milliseconds: the values exceed 2^53, where only multiples of 2 are exact.
 */
export function webkitMicros(ms: number): number {
  return (ms + 11_644_473_600_000) * 1000;
}
