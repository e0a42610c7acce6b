/**
 * Run by thread-settings.test.ts in a child process started with the V8 heap flags of `npm start`: makes one
 * range in an export thread and prints what the thread's and this thread's young generations grew to, and
 * both threads' niceness.
 */
import { getPriority } from 'node:os';
import v8 from 'node:v8';
import { constants, inflateRawSync } from 'node:zlib';
import { createShardPool } from '../../../src/export/index.js';

const mainNicenessBefore = getPriority();
const pool = createShardPool(1);
const range = await pool.run({
  module: new URL('./shard-producers.ts', import.meta.url).href,
  exportName: 'threadSettings',
  args: {},
  from: 0,
  to: 1,
  format: { type: 'ndjson' },
  level: 1,
});
await pool.close();
const thread = JSON.parse(inflateRawSync(range.deflated, { finishFlush: constants.Z_SYNC_FLUSH }).toString()) as { newSpaceMiB: number; niceness: number };
let keep: { i: number; s: string }[] = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ i, s: `x${i}` });
  if (keep.length > 50_000) keep = [];
}
const main = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 2 ** 20;
console.log(
  JSON.stringify({
    threadNewSpaceMiB: thread.newSpaceMiB,
    mainNewSpaceMiB: main,
    threadNiceness: thread.niceness,
    mainNicenessBefore,
    mainNicenessAfter: getPriority(),
    kept: keep.length,
  }),
);
