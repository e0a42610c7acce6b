import type { ArchiveFile, ExportRequest, Source, SourcePluginContext } from '../../src/sources/index.js';

/**
 * An example `plugin` source: a loyalty-points service whose data lives behind code rather than a table
 * or an endpoint. Name it in a catalog as
 *
 *   sources:
 *     loyalty:
 *       type: plugin
 *       module: ./loyalty-source.ts      # relative to the catalog file
 *       options: { programme: Shop Stars, pointsPerWeek: 10 }
 *
 * Dataport imports the module once at start-up and calls its default export with `options` and a context
 * (the source's name, the catalog's folder, the groups it serves). What comes back is a Source: for one
 * user, one group and a time window it yields archive files, each a stream of records (the exporter writes
 * them as JSON, NDJSON or CSV) or raw bytes. Throw TransientSourceError for a failure that may pass (the
 * job is retried) and PermanentSourceError for one that will not (the job FAILS; the message is kept for
 * the operator). In a real plugin, import those from Dataport's `src/sources/index.js`.
 */
interface LoyaltyOptions {
  programme?: string;
  pointsPerWeek?: number;
}

const WEEK_MS = 7 * 86_400_000;
/** The programme started on this day; no points exist before it. */
const PROGRAMME_START_MS = Date.UTC(2024, 0, 1);

export default function createLoyaltySource(options: LoyaltyOptions, context: SourcePluginContext): Source {
  const programme = options.programme ?? 'Loyalty';
  const pointsPerWeek = options.pointsPerWeek ?? 10;
  return {
    name: context.name,
    async *exportGroup(request: ExportRequest): AsyncGenerator<ArchiveFile> {
      if (request.group.endsWith('.points')) {
        yield { kind: 'records', path: `${programme}/Points.json`, format: { type: 'json-array' }, records: weeklyPoints(request, pointsPerWeek) };
      } else {
        const card = `${programme} member card\nMember: ${request.userId}\n`;
        yield {
          kind: 'bytes',
          path: `${programme}/Member card.txt`,
          content: (async function* () {
            yield Buffer.from(card);
          })(),
        };
      }
    },
  };
}

/** One record per week inside the request's window, computed rather than stored. */
async function* weeklyPoints(request: ExportRequest, pointsPerWeek: number): AsyncGenerator<object> {
  const end = request.endTime?.getTime() ?? Date.now();
  const firstWeek = Math.max(0, Math.ceil(((request.startTime?.getTime() ?? PROGRAMME_START_MS) - PROGRAMME_START_MS) / WEEK_MS));
  for (let week = firstWeek; PROGRAMME_START_MS + week * WEEK_MS <= end; week++) {
    request.signal.throwIfAborted();
    yield { week: new Date(PROGRAMME_START_MS + week * WEEK_MS).toISOString(), points: pointsPerWeek, user: request.userId };
  }
}
