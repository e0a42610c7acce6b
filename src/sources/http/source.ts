import type { GroupDefinition, HttpFileDefinition, HttpSourceDefinition } from '../../catalog/index.js';
import { streamFailure, TRANSIENT_NETWORK_CODES, withRetries, type FailureKind } from '../retry.js';
import { PermanentSourceError, type ArchiveFile, type ExportRequest, type RecordFormat, type Source } from '../types.js';
import { createHttpGetter, HttpStatusError } from './client.js';
import { ndjsonValues } from './ndjson-lines.js';

export interface HttpSourceOptions {
  readonly name: string;
  readonly definition: HttpSourceDefinition;
  readonly groups: readonly GroupDefinition[];
  readonly baseDir: string;
}

/** The response header that carries the token of the next page; absent or empty on the last page. */
const NEXT_PAGE_HEADER = 'x-next-page-token';

/** 429 and 5xx may pass (with the server's Retry-After honoured); other statuses will not. */
function classify(error: unknown): FailureKind {
  if (error instanceof HttpStatusError) {
    return error.status === 429 || error.status >= 500 ? { transient: true, retryAfterMs: error.retryAfterMs } : { transient: false };
  }
  const code = String((error as { code?: unknown })?.code);
  return { transient: TRANSIENT_NETWORK_CODES.has(code) || code === 'UND_ERR_SOCKET' };
}

/**
 * The `http` source: each file of a group is an internal endpoint that returns NDJSON, a page at a time.
 * Dataport asks `GET <url>/<endpoint>?user_id=…[&start_time=…&end_time=…][&page_token=…]` (times RFC 3339)
 * and follows the `X-Next-Page-Token` response header until a page comes without one. A page is retried with
 * backoff on 429, 5xx, timeouts and dropped connections; a failure after records of the page went out is
 * left to the job runner, which redoes the whole job, so no record is written twice.
 */
export function createHttpSource(options: HttpSourceOptions): Source {
  const { definition } = options;
  const base = definition.url.endsWith('/') ? definition.url : `${definition.url}/`;
  const groups = new Map(options.groups.map((g) => [g.name, g.files as HttpFileDefinition[]]));
  const getter = createHttpGetter(definition, options.baseDir);
  const policy = { attempts: definition.attempts, backoffMs: definition.backoff };

  async function* pages(file: HttpFileDefinition, request: ExportRequest, what: string): AsyncGenerator<unknown> {
    let pageToken: string | undefined;
    let page = 0;
    do {
      page++;
      // Standard URL resolution: `orders` is below the source URL, `/other/orders` is from the host's root.
      const url = new URL(file.endpoint, base);
      url.searchParams.set('user_id', request.userId);
      if (request.startTime) url.searchParams.set('start_time', request.startTime.toISOString());
      if (request.endTime) url.searchParams.set('end_time', request.endTime.toISOString());
      if (pageToken) url.searchParams.set('page_token', pageToken);
      const response = await withRetries(`${what} (page ${page})`, policy, request.signal, () => getter.get(url, request.signal), classify);
      const next = response.headers[NEXT_PAGE_HEADER];
      pageToken = typeof next === 'string' && next !== '' ? next : undefined;
      try {
        yield* ndjsonValues(response, (line, text) => new PermanentSourceError(`${what}: line ${line} of page ${page} is not JSON: ${text.slice(0, 80)}`));
      } catch (error) {
        if (request.signal.aborted) throw error;
        throw streamFailure(`${what} (page ${page})`, error, true);
      } finally {
        response.destroy();
      }
    } while (pageToken);
  }

  return {
    name: options.name,
    async *exportGroup(request: ExportRequest): AsyncGenerator<ArchiveFile> {
      const files = groups.get(request.group);
      if (!files) throw new PermanentSourceError(`http source "${options.name}" does not serve resource group ${request.group}`);
      for (const file of files) {
        const what = `${options.name}: ${file.endpoint} for ${request.group}`;
        if (file.format === 'json-object') {
          const records: unknown[] = [];
          for await (const record of pages(file, request, what)) {
            records.push(record);
            if (records.length > 1) throw new PermanentSourceError(`${what}: format json-object needs at most one record, the endpoint sent more`);
          }
          if (records.length > 0) yield { kind: 'records', path: file.path, format: { type: 'json-object' }, records };
          continue;
        }
        const format: RecordFormat = file.format === 'csv' ? { type: 'csv', columns: file.columns ?? [] } : { type: file.format };
        yield { kind: 'records', path: file.path, format, records: pages(file, request, what) };
      }
    },
    async close() {
      getter.close();
    },
  };
}
