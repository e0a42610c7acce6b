/**
 * The demo source's {@link ShardProducer}: runs in an export worker thread and makes the records at positions
 * `[from, to)` of one demo file. Demo records are a pure function of (seed, index), so a range needs nothing
 * but the export's arguments; the output is the same records the main thread would have yielded.
 */
import type { DemoFile } from './group-spec.js';
import { demoGroups } from './registry.js';
import { contextFor, type DemoShardArgs } from './source.js';

/** A thread makes many ranges of the same file in a row: its pools are built once, not per range. */
let current: { key: string; file: Extract<DemoFile, { kind: 'records' }> } | undefined;

export function demoShard(args: DemoShardArgs, from: number, to: number): Iterable<unknown> {
  const key = JSON.stringify(args);
  if (current?.key !== key) {
    const spec = demoGroups[args.group];
    const file = spec?.files(contextFor(spec, args))[args.fileIndex];
    if (file?.kind !== 'records' || !file.slice) throw new Error(`demo source: ${args.group} has no record file ${args.fileIndex} to shard`);
    current = { key, file };
  }
  return current.file.slice!(from, to);
}
