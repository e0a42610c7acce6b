import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { JobService } from '../jobs/index.js';
import { auditSql, jobsSql, type BlobStore, type Db, type UrlSigner } from '../store/index.js';
import { ApiError } from './api-error.js';
import { googleError } from './google-errors.js';
import type { Metrics } from '../metrics/types.js';
import { parseTraceParent } from '../tracing/index.js';

export interface DownloadDeps {
  db: Db;
  jobs: Pick<JobService, 'downloadableArchive'>;
  metrics: Metrics;
  blobs: BlobStore;
  signer: UrlSigner;
  now: () => number;
}

/**
 * Serves every archive download, whatever the blob store: `/downloads/<key>?name=&expires=&signature=`.
 * The signature proves the URL was handed out; the consent behind the archive is checked on every request
 * (a revoked grant, a reset or an app removed stops downloads at once). Range requests make downloads
 * resumable; the ETag lets a client check that the object has not changed between ranges.
 */
export async function downloadRoutes(app: FastifyInstance, deps: DownloadDeps): Promise<void> {
  app.get<{ Params: { '*': string }; Querystring: Record<string, string | undefined> }>(
    '/downloads/*',
    {
      // A ZIP does not shrink, and a compressed body would break Range requests (their offsets are into the file).
      compress: false,
    },
    async (request, reply) => {
      const key = request.params['*'];
      const { name, expires, signature } = request.query;
      const expiresAt = Number(expires);
      if (!name || !signature || !Number.isInteger(expiresAt) || !deps.signer.verify({ key, expires: expiresAt, downloadName: name }, signature)) {
        throw new ApiError('PERMISSION_DENIED', 'Invalid signature for this URL.');
      }
      if (expiresAt * 1000 <= deps.now()) throw new ApiError('PERMISSION_DENIED', 'This URL has expired; poll the archive state for a fresh one.');
      // A withdrawn consent (or an expired archive) answers as a deleted one: deletion may follow later.
      const archive = await deps.jobs.downloadableArchive(key);
      if (!archive) throw new ApiError('NOT_FOUND', 'The archive is no longer available.');
      const stat = await deps.blobs.stat(key);
      if (!stat) throw new ApiError('NOT_FOUND', 'The archive is no longer available.');
      const part = key.slice(key.lastIndexOf('/') + 1);
      // The request's span (tracing on) names the job and links to the trace of the request that made it.
      const span = trace.getActiveSpan();
      if (span) {
        span.setAttributes({ 'dataport.job.id': archive.jobId, 'dataport.download.part': part, 'dataport.download.size_bytes': stat.sizeBytes });
        const initiated = parseTraceParent(archive.traceParent);
        if (initiated) span.addLink({ context: initiated, attributes: { 'dataport.link': 'initiate' } });
      }

      reply.header('accept-ranges', 'bytes');
      reply.header('etag', stat.etag);
      reply.header('last-modified', stat.modifiedAt.toUTCString());
      reply.header('cache-control', 'private, no-store');

      if (request.headers['if-none-match'] === stat.etag) return reply.code(304).send();
      const range = parseRange(request.headers.range, request.headers['if-range'] as string | undefined, stat);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${stat.sizeBytes}`);
        // 416 is HTTP's own answer here; the body keeps Google's shape and says 416 too, as a body's code is
        // the HTTP status everywhere else. No Content-Disposition: there is no file to save.
        const { body } = googleError('OUT_OF_RANGE', 'Requested range not satisfiable.');
        return reply
          .code(416)
          .type('application/json; charset=UTF-8')
          .send({ error: { ...body.error, code: 416 } });
      }
      // Only an answer that carries the archive names it as a file to save.
      reply.header('content-type', 'application/zip');
      reply.header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`);
      // Counts as downloaded once a GET has sent the whole object: not a HEAD (Fastify answers it with this
      // handler), not a partial range, not a download the client broke off ('finish' fires only once every
      // byte has been handed to the connection).
      const whole = !range || (range.start === 0 && range.end === stat.sizeBytes - 1);
      if (request.method === 'GET' && whole) {
        reply.raw.once('finish', () => {
          jobsSql.markPartDownloaded(deps.db, key, deps.now()).catch((err: unknown) => request.log.warn({ err, key }, 'could not record a download'));
        });
      }
      if (request.method === 'GET') {
        // Every GET that sent its bytes is in the audit log with its range (a resumed download is several entries).
        const start = range ? range.start : 0;
        const end = range ? range.end : stat.sizeBytes - 1;
        span?.setAttributes({ 'dataport.download.range': `${start}-${end}`, 'dataport.download.bytes': end - start + 1 });
        reply.raw.once('finish', () => {
          // The line carries this request's id (request_id) and the job's, and the id of the request that made the job.
          request.log.info(
            { jobId: archive.jobId, job_request_id: archive.requestId, part, range: `${start}-${end}`, bytes: end - start + 1 },
            'archive part sent',
          );
          deps.metrics.downloadBytes(end - start + 1);
          auditSql
            .appendAudit(deps.db, {
              at: deps.now(),
              action: 'download',
              actor: 'user',
              userId: archive.userId,
              clientId: archive.clientId,
              jobId: archive.jobId,
              ip: request.ip,
              detail: { part, range: `${start}-${end}`, bytes: end - start + 1, sizeBytes: stat.sizeBytes },
            })
            .catch((err: unknown) => request.log.error({ err, key }, "could not write a download's audit entry"));
        });
      }
      if (range) {
        reply.code(206);
        reply.header('content-range', `bytes ${range.start}-${range.end}/${stat.sizeBytes}`);
        reply.header('content-length', range.end - range.start + 1);
        return reply.send(await deps.blobs.read(key, range));
      }
      reply.header('content-length', stat.sizeBytes);
      return reply.send(await deps.blobs.read(key));
    },
  );
}

/** A single `bytes=` range (what download managers send); multiple ranges are served whole. */
export function parseRange(
  header: string | undefined,
  ifRange: string | undefined,
  stat: { sizeBytes: number; etag: string },
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  if (ifRange !== undefined && ifRange !== stat.etag) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const size = stat.sizeBytes;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
