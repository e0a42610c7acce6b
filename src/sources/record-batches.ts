/**
 * Records that can also be read a batch at a time. A database cursor hands over rows a round trip at a time;
 * read one by one through async generators, every row costs a promise and a microtask at each layer (driver,
 * cancellation guard, archive writer), about a tenth of a PostgreSQL export's CPU. The archive writer reads
 * the batches when they are there (`recordBatchesOf`); anything else iterating the records, one by one, gets
 * the same rows in the same order.
 */
const BATCHES = Symbol('dataport.recordBatches');
const JSON_TEXT_BATCHES = Symbol('dataport.jsonTextBatches');

interface BatchedRecords extends AsyncIterable<unknown> {
  [BATCHES](): AsyncIterable<readonly unknown[]>;
}

interface JsonTextRecords extends AsyncIterable<unknown> {
  [JSON_TEXT_BATCHES](): AsyncIterable<readonly string[]>;
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

/**
 * Records a source already wrote as JSON text, each exactly what `JSON.stringify` of the record would write:
 * a writer of a JSON format takes the text as it is (`jsonTextBatchesOf`), without the record object ever being
 * made. Anything else iterating them, one by one, gets the records back (`JSON.parse` of the text), whose
 * `JSON.stringify` is the same text again.
 */
export function jsonTextRecords(batches: AsyncIterable<readonly string[]>): AsyncIterable<unknown> {
  const records: JsonTextRecords = {
    [JSON_TEXT_BATCHES]: () => batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) for (const text of batch) yield JSON.parse(text);
    },
  };
  return records;
}

/** The JSON text behind records made by `jsonTextRecords`, a batch at a time, or undefined for any other iterable. */
export function jsonTextBatchesOf(records: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterable<readonly string[]> | undefined {
  return JSON_TEXT_BATCHES in records ? (records as JsonTextRecords)[JSON_TEXT_BATCHES]() : undefined;
}
