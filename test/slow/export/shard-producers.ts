/**
 * Shard producers for test/slow/export/sharded-archive.test.ts: loaded by the export worker threads by URL,
 * as a source's own producer module would be.
 */
import { getPriority } from 'node:os';
import v8 from 'node:v8';

/** Records `{ i, text }` at positions [from, to): the same as `numbered(count)` yields. */
export function numbers(args: { word: string }, from: number, to: number): Iterable<unknown> {
  return (function* () {
    for (let i = from; i < to; i++) yield { i, text: `${args.word} ${i} ${'é'.repeat(i % 7)}` };
  })();
}

/** Fails the range that holds position `at`, with an error named as a source's permanent failure. */
export function failsAt(args: { at: number }, from: number, to: number): Iterable<unknown> {
  if (from <= args.at && args.at < to) throw Object.assign(new Error(`record ${args.at} is unreadable`), { name: 'PermanentSourceError' });
  return numbers({ word: 'ok' }, from, to);
}

/** Yields one record too few: the exporter must notice rather than write a short file. */
export function short(_args: unknown, from: number, to: number): Iterable<unknown> {
  return numbers({ word: 'short' }, from, Math.max(from, to - 1));
}

/** Ends the worker thread it runs in while making the range that holds position `at`. */
export function killsThreadAt(args: { at: number }, from: number, to: number): Iterable<unknown> {
  if (from <= args.at && args.at < to) process.exit(3);
  return numbers({ word: 'ok' }, from, to);
}

/**
 * One record per position telling how large the thread's young generation (V8's new space) has grown, after
 * enough short-lived garbage that it reaches its limit, and the thread's scheduling priority (its niceness).
 */
export function threadSettings(_args: unknown, from: number, to: number): Iterable<unknown> {
  let keep: { i: number; s: string }[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i, s: `x${i}` });
    if (keep.length > 50_000) keep = [];
  }
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
  return Array.from({ length: to - from }, () => ({ newSpaceMiB: newSpace.space_size / 2 ** 20, niceness: getPriority(), kept: keep.length > 0 }));
}
