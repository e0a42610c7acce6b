/**
 * Records that can also be read a batch at a time. A database cursor hands over rows a round trip at a time;
 * read one by one through async generators, every row costs a promise and a microtask at each layer (driver,
 * cancellation guard, archive writer), about a tenth of a PostgreSQL export's CPU. The archive writer reads
 * the batches when they are there (`recordBatchesOf`); anything else iterating the records, one by one, gets
 * the same rows in the same order.
 */
const BATCHES = Symbol('dataport.recordBatches');

interface BatchedRecords extends AsyncIterable<unknown> {
  [BATCHES](): AsyncIterable<readonly unknown[]>;
}

/** Records made of batches; iterate them once, either way. */
export function batchedRecords(batches: AsyncIterable<readonly unknown[]>): AsyncIterable<unknown> {
  const records: BatchedRecords = {
    [BATCHES]: () => batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) yield* batch;
    },
  };
  return records;
}

/** The batches behind records made by `batchedRecords`, or undefined for any other iterable. */
export function recordBatchesOf(records: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterable<readonly unknown[]> | undefined {
  return BATCHES in records ? (records as BatchedRecords)[BATCHES]() : undefined;
}
