/**
 * An export worker thread (see shard-pool.ts): makes one range of a records file at a time, from the
 * source's producer module, and hands back the range serialized, checksummed and deflated. Everything the
 * main thread would otherwise do per record happens here, so a long file is made on every core at once.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import type { ShardProducer } from '../sources/index.js';
// Not through sources/index.js: that would load every connector into each thread.
import { importModule } from '../sources/import-module.js';
import { crc32 } from './crc32.js';
import { serializerFor, type RecordSerializer } from './serialize.js';
import type { ShardTask, ShardReply } from './shard-pool.js';
import { DEFLATE_MEM_LEVEL } from './deflate-options.js';

/**
 * An export is background work beside the requests the same machine answers: this thread yields the CPU to
 * them when both want it, and has all of it when nothing else does. On Linux `setpriority` on process id 0
 * applies to the calling thread only, so the main thread (the API, in `dataport start`) keeps its priority;
 * elsewhere it would apply to the whole process, so it is left alone there. An operator who started the
 * process at a lower priority already keeps it (raising a niceness needs no privilege, lowering would).
 */
const EXPORT_THREAD_NICENESS = 10;
if (process.platform === 'linux') setPriority(Math.max(EXPORT_THREAD_NICENESS, getPriority()));

const producers = new Map<string, Promise<ShardProducer>>();
/** One serializer per format for the thread's life: its cache of frozen values' text outlives a range. */
const serializers = new Map<string, RecordSerializer>();
/** The range's text, reused from one range to the next so memory stays flat. */
let text = Buffer.allocUnsafe(4 * 1024 * 1024);

/**
 * The pool posts the next range before this one is done (shard-pool.ts, RANGES_PER_THREAD): ranges are made
 * one after another, in the order posted, so each reply answers the oldest range outstanding.
 */
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (task: ShardTask) => {
  queue = queue.then(() => makeAndReply(task));
});

function makeAndReply(task: ShardTask): Promise<void> {
  return run(task).then(
    (reply) => parentPort!.postMessage(reply, [reply.deflated.buffer as ArrayBuffer]),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      parentPort!.postMessage({ error: { name: e.name, message: e.message, stack: e.stack } } satisfies ShardReply);
    },
  );
}

async function run(task: ShardTask): Promise<Extract<ShardReply, { deflated: Uint8Array }>> {
  const produce = await producerOf(task.module, task.exportName);
  const formatKey = JSON.stringify(task.format);
  let serializer = serializers.get(formatKey);
  if (!serializer) serializers.set(formatKey, (serializer = serializerFor(task.format)));

  let filled = 0;
  let records = 0;
  // Records are joined into ~16 KiB of text before each encoding call: one call per record cost ~10 % more CPU.
  let pending = '';
  const flush = () => {
    if (pending.length * 3 > text.length - filled) {
      const grown = Buffer.allocUnsafe(Math.max(text.length * 2, filled + pending.length * 3));
      text.copy(grown, 0, 0, filled);
      text = grown;
    }
    filled += text.write(pending, filled);
    pending = '';
  };
  const append = (value: unknown) => {
    // Each range is serialized as if it opened the list; the main thread puts `separator` between ranges.
    pending += serializer.record(value, records === 0);
    records++;
    if (pending.length >= 16 * 1024) flush();
  };
  const values = produce(task.args as never, task.from, task.to);
  if (Symbol.iterator in values) for (const value of values) append(value);
  else for await (const value of values) append(value);
  flush();
  if (records !== task.to - task.from) {
    throw new Error(`shard producer ${task.exportName} gave ${records} records for positions ${task.from}..${task.to}`);
  }

  const input = text.subarray(0, filled);
  // A sync flush ends the range byte-aligned and without the final-block bit: ranges concatenate into one stream.
  const deflated = zlib.deflateRawSync(input, { level: task.level, memLevel: DEFLATE_MEM_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { deflated: ownBuffer(deflated), crc32: crc32(input), uncompressedBytes: filled, records };
}

async function producerOf(module: string, exportName: string): Promise<ShardProducer> {
  const key = `${module}#${exportName}`;
  let producer = producers.get(key);
  if (!producer) {
    producer = importModule(module).then((exports) => {
      const f = (exports as Record<string, unknown>)[exportName];
      if (typeof f !== 'function') throw new Error(`shard producer module ${module} has no function export ${exportName}`);
      return f as ShardProducer;
    });
    producers.set(key, producer);
  }
  return producer;
}

/** A view that owns its whole ArrayBuffer, so transferring it hands over exactly these bytes. */
function ownBuffer(bytes: Buffer): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const owned = new Uint8Array(bytes.length);
  owned.set(bytes);
  return owned;
}
