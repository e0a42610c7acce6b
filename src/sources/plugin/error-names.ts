import { PermanentSourceError, TransientSourceError, type ArchiveFile, type ExportRequest, type Source } from '../types.js';

/**
 * A plugin may be loaded from anywhere (a package, a folder beside the catalog) and carry its own copy of
 * the error classes, so `instanceof` cannot be trusted across that line. Errors are matched by `name`
 * instead: an error named `TransientSourceError` or `PermanentSourceError` becomes Dataport's own, message
 * kept, wherever it is thrown — starting the group, or mid-stream in a file's records or bytes.
 */
export function withErrorsByName(source: Source): Source {
  return {
    name: source.name,
    exportGroup: (request: ExportRequest) => translate(files(source, request)),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}

async function* files(source: Source, request: ExportRequest): AsyncGenerator<ArchiveFile> {
  for await (const file of source.exportGroup(request)) {
    if (file.kind === 'records') yield { ...file, records: translate(file.records) };
    else yield { ...file, content: translate(file.content) };
  }
}

async function* translate<T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (error) {
    throw asSourceError(error);
  }
}

/** Dataport's own class for an error named as a source error (from a plugin, or across a thread); others as they are. */
export function asSourceError(error: unknown): unknown {
  if (error instanceof TransientSourceError || error instanceof PermanentSourceError || !(error instanceof Error)) return error;
  if (error.name === 'TransientSourceError') return new TransientSourceError(error.message, { cause: error });
  if (error.name === 'PermanentSourceError') return new PermanentSourceError(error.message, { cause: error });
  return error;
}
