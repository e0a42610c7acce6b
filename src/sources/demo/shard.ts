/**
 * The demo source's {@link ShardProducer}: runs in an export worker thread and makes the records at positions
 * `[from, to)` of one demo file. Demo records are a pure function of (seed, index), so a range needs nothing
 * but the export's arguments; the output is the same records the main thread would have yielded.
 */
import type { DemoFile } from './group-spec.js';
import { demoGroups } from './registry.js';
import { contextFor, type DemoShardArgs } from './source.js';

/**
 * A thread makes many ranges of the same file in a row, and exports running side by side take turns: the
 * files (and the pools they are built from) of the last few are kept, not rebuilt per range.
 */
const recent = new Map<string, Extract<DemoFile, { kind: 'records' }>>();
const RECENT_FILES = 4;

export function demoShard(args: DemoShardArgs, from: number, to: number): Iterable<unknown> {
  const key = JSON.stringify(args);
  let file = recent.get(key);
  if (file) {
    recent.delete(key); // re-inserted below: the Map's order is the order of use
  } else {
    const spec = demoGroups[args.group];
    const made = spec?.files(contextFor(spec, args))[args.fileIndex];
    if (made?.kind !== 'records' || !made.slice) throw new Error(`demo source: ${args.group} has no record file ${args.fileIndex} to shard`);
    file = made;
    if (recent.size >= RECENT_FILES) recent.delete(recent.keys().next().value!);
  }
  recent.set(key, file);
  return file.slice!(from, to);
}
