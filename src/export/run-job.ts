import { context, SpanKind, type Span } from '@opentelemetry/api';
import type { Catalog } from '../catalog/index.js';
import type { Delivery, DeliveryOutcome } from '../queue/index.js';
import { TransientSourceError, type ArchiveFile, type Source } from '../sources/index.js';
import { archiveFileName, isStoreUnavailable, jobsSql, type BlobStore, type Db, type JobRow } from '../store/index.js';
import { buildArchive, type ArchiveGroup, type GroupWatch } from './archive-builder.js';
import { claimJobAndOpenRun, runEndRecorder } from './run-record.js';
import type { ShardPool } from './shard-pool.js';
import type { ExportRunner } from './types.js';
import type { Metrics } from '../metrics/types.js';
import { contextFromTraceParent, failSpan, tracer, withSpan } from '../tracing/index.js';

export interface ExportRunnerDeps {
  db: Db;
  blobs: BlobStore;
  catalog: Catalog;
  sources: ReadonlyMap<string, Source>;
  now: () => number;
  /** Identifies this worker in job leases. */
  workerId: string;
  leaseMs: number;
  /** Transient failures a job absorbs before it ends FAILED. */
  attempts: number;
  retryBackoffMs: number;
  partSizeBytes: number;
  compressionLevel: number;
  /** Threads for files a source offers in ranges; see archive-builder.ts. */
  shardPool?: ShardPool;
  archiveRetentionMs: number;
  /** Retries the jobs service allows a FAILED job (jobs/states.ts): whether a failure's webhook calls it retryable. */
  retriesPerFailedJob: number;
  metrics: Metrics;
  log: RunLog & { child(bindings: object): RunLog };
}

type RunLog = { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };

/** Why a run stopped early: the job was cancelled (or taken over), or this worker is shutting down. */
class RunStopped extends Error {
  constructor(readonly why: 'cancelled' | 'shutdown') {
    super(`run stopped: ${why}`);
  }
}

/**
 * Runs one delivered archive job: claims it (fencing by attempt), streams the archive into blobs under a
 * key of its own attempt, and publishes it with one transactional state change. Output of a run that does
 * not publish is deleted, so a half-written archive is never visible and nothing is published twice.
 */
export function createExportRunner(deps: ExportRunnerDeps): ExportRunner {
  const { db, now } = deps;
  const runs = new Map<string, AbortController>();

  async function handle(delivery: Delivery): Promise<DeliveryOutcome> {
    const job = await claimJobAndOpenRun(db, delivery.jobId, deps.workerId, now(), deps.leaseMs);
    if (!job) {
      const current = await jobsSql.findJob(db, delivery.jobId);
      if (!current || current.state !== 'IN_PROGRESS') return { kind: 'done' };
      // Another worker holds a live lease (a duplicate delivery): look again once it could have lapsed.
      return { kind: 'retry', afterMs: Math.max(1000, (current.lease_expires_at ?? now()) - now() + 100) };
    }
    // Every line about the run carries the job and the request that made it (its X-Request-Id); the run's span
    // is a child of that request's trace (the traceparent kept with the job), whichever worker runs it.
    const log = deps.log.child({ jobId: job.id, ...(job.request_id !== null ? { request_id: job.request_id } : {}) });
    return withSpan(
      'export.run',
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceParent(job.trace_parent),
        attributes: {
          'dataport.job.id': job.id,
          'dataport.attempt': job.attempt,
          'dataport.deliveries': delivery.deliveries,
          'dataport.resource_groups': JSON.parse(job.resources) as string[],
          'dataport.worker_id': deps.workerId,
          ...(job.request_id !== null ? { 'dataport.request_id': job.request_id } : {}),
        },
      },
      (span) => run(job, delivery, log, span),
    );
  }

  async function run(job: JobRow, delivery: Delivery, log: RunLog, span: Span): Promise<DeliveryOutcome> {
    const prefix = `archives/${job.id}/`;
    const attemptPrefix = `${prefix}${job.attempt}/`;
    // Leftovers of earlier runs that died before cleaning up: they can never be published (fenced by attempt).
    // A first attempt has no earlier run, and looking costs two trips to the thread pool per job.
    if (job.attempt > 1) await deps.blobs.deletePrefix(prefix).catch((e: unknown) => log.warn({ err: e }, 'could not delete old attempts'));

    const recordRunEnd = runEndRecorder(db, job, now, log);
    const controller = new AbortController();
    runs.set(job.id, controller);
    deps.metrics.workerBusy(1);
    const claimedAt = now();
    const onShutdown = () => controller.abort(new RunStopped('shutdown'));
    delivery.signal.addEventListener('abort', onShutdown);
    // A drain that began while this run was still starting (the old attempts' deletion above can take
    // seconds on S3) has already aborted the signal, and a listener added after that never hears of it: the
    // run would go on to the end while its process waited to exit.
    if (delivery.signal.aborted) onShutdown();
    const heartbeat = setInterval(
      () => {
        jobsSql.renewLease(db, job.id, job.attempt, now(), deps.leaseMs).then(
          (held) => held || controller.abort(new RunStopped('cancelled')),
          (e: unknown) => log.warn({ err: e }, 'lease renewal failed'),
        );
      },
      Math.max(100, Math.floor(deps.leaseMs / 3)),
    );

    try {
      const started = now();
      const { parts, index } = await buildArchive({
        groups: groupsOf(job, controller.signal),
        blobs: deps.blobs,
        // How many parts there will be is known only at the end, so every key carries its part number (the
        // multi-part form of the name); the single-part download name is chosen when a URL is signed.
        partKey: (i) => `${attemptPrefix}${archiveFileName(job, i, Number.POSITIVE_INFINITY)}`,
        partSizeBytes: deps.partSizeBytes,
        compressionLevel: deps.compressionLevel,
        ...(deps.shardPool ? { shardPool: deps.shardPool } : {}),
        mtime: new Date(job.export_time),
        signal: controller.signal,
        onGroup: (name) => groupSpan(name),
        describe: {
          archiveJobId: job.id,
          exportTime: new Date(job.export_time).toISOString(),
          ...(job.start_time !== null ? { startTime: new Date(job.start_time).toISOString() } : {}),
          ...(job.end_time !== null ? { endTime: new Date(job.end_time).toISOString() } : {}),
          generator: 'Dataport',
        },
      });
      const bytes = parts.reduce((n, p) => n + p.sizeBytes, 0);
      span.setAttributes({ 'dataport.archive.parts': parts.length, 'dataport.archive.bytes': bytes, 'dataport.archive.records': index.totals.records });
      const published = await withSpan(
        'archive.publish',
        { attributes: { 'dataport.job.id': job.id, 'dataport.archive.parts': parts.length, 'dataport.archive.bytes': bytes } },
        async (publish) => {
          const done = await jobsSql.completeJob(
            db,
            job.id,
            job.attempt,
            parts.map((p) => ({ part_index: p.partIndex, blob_key: p.blobKey, size_bytes: p.sizeBytes, sha256: p.sha256 })),
            now(),
            now() + deps.archiveRetentionMs,
            {
              at: now(),
              action: 'publish',
              actor: 'system',
              userId: job.user_id,
              clientId: job.client_id,
              jobId: job.id,
              detail: {
                attempt: job.attempt,
                worker: deps.workerId,
                parts: parts.length,
                bytes,
                records: index.totals.records,
                resources: JSON.parse(job.resources) as string[],
              },
            },
          );
          publish.setAttribute('dataport.published', done);
          return done;
        },
      );
      await recordRunEnd({ outcome: published ? 'complete' : 'discarded', records: index.totals.records, bytes });
      if (!published) {
        await deps.blobs.deletePrefix(attemptPrefix);
        span.setAttribute('dataport.outcome', 'discarded');
        log.info({ attempt: job.attempt }, 'job changed while exporting (cancelled or taken over); output discarded');
        return { kind: 'done' };
      }
      span.setAttribute('dataport.outcome', 'published');
      deps.metrics.jobFinished({
        state: 'COMPLETE',
        seconds: (now() - claimedAt) / 1000,
        bytes,
        groups: index.services.map((g) => ({ name: g.resourceGroup, records: g.records, bytes: g.sizeBytes })),
      });
      log.info({ attempt: job.attempt, parts: parts.length, bytes, records: index.totals.records, ms: now() - started }, 'archive published');
      return { kind: 'done' };
    } catch (error) {
      await deps.blobs.deletePrefix(attemptPrefix).catch((e: unknown) => log.warn({ err: e }, 'could not delete partial output'));
      const outcome = await settleFailure(job, controller.signal.reason ?? error, error, log);
      await recordRunEnd({ outcome: outcome.outcome, error });
      span.setAttribute('dataport.outcome', outcome.outcome);
      if (outcome.outcome === 'failed' || outcome.outcome === 'transient failure') failSpan(span, error);
      if (outcome.failed) deps.metrics.jobFinished({ state: 'FAILED', seconds: (now() - claimedAt) / 1000, bytes: 0, groups: [] });
      return outcome.delivery;
    } finally {
      deps.metrics.workerBusy(-1);
      clearInterval(heartbeat);
      delivery.signal.removeEventListener('abort', onShutdown);
      runs.delete(job.id);
    }
  }

  async function settleFailure(
    job: JobRow,
    reason: unknown,
    error: unknown,
    log: RunLog,
  ): Promise<{ delivery: DeliveryOutcome; failed: boolean; outcome: 'cancelled' | 'handed back' | 'transient failure' | 'failed' }> {
    if (reason instanceof RunStopped && reason.why === 'cancelled') {
      log.info({}, 'job cancelled; partial output deleted');
      return { delivery: { kind: 'done' }, failed: false, outcome: 'cancelled' };
    }
    if (reason instanceof RunStopped && reason.why === 'shutdown') {
      // Hand the job back at once: the next worker need not wait for the lease to lapse. A drain is not the
      // source's failure, so it spends none of the job's attempts.
      await jobsSql.releaseJob(db, job.id, job.attempt, now());
      return { delivery: { kind: 'retry', afterMs: 0 }, failed: false, outcome: 'handed back' };
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // A source's passing failure, or storage that cannot take the archive for now (a full disk, S3 answering 5xx):
    // retried with backoff like any transient failure, instead of failing the user's job for the operator's disk.
    const transient = error instanceof TransientSourceError || isStoreUnavailable(error);
    if (transient && job.transient_failures + 1 < deps.attempts) {
      const afterMs = deps.retryBackoffMs * 2 ** job.transient_failures;
      await jobsSql.releaseAfterTransientFailure(db, job.id, job.attempt, message, now());
      log.warn({ attempt: job.attempt, afterMs, err: message }, 'transient failure; job will run again');
      return { delivery: { kind: 'retry', afterMs }, failed: false, outcome: 'transient failure' };
    }
    const failed = await jobsSql.failJob(db, job.id, job.attempt, message, now(), deps.retriesPerFailedJob);
    log.warn({ attempt: job.attempt, err: message }, 'job FAILED');
    return { delivery: { kind: 'done' }, failed, outcome: 'failed' };
  }

  /** A span for one resource group's files, a child of the run's (active) span; ended with the group's totals. */
  function groupSpan(name: string): GroupWatch {
    const span = tracer().startSpan('export.group', { attributes: { 'dataport.resource_group': name } }, context.active());
    return {
      done(totals) {
        span.setAttributes({ 'dataport.group.files': totals.files, 'dataport.group.records': totals.records, 'dataport.group.bytes': totals.sizeBytes }).end();
      },
      failed(error) {
        failSpan(span, error);
        span.end();
      },
    };
  }

  function* groupsOf(job: JobRow, signal: AbortSignal): Iterable<ArchiveGroup> {
    for (const name of JSON.parse(job.resources) as string[]) {
      const group = deps.catalog.get(name);
      const source = group && deps.sources.get(group.source);
      if (!group || !source) throw new Error(`no source serves resource group ${name}`);
      const files: AsyncIterable<ArchiveFile> = source.exportGroup({
        userId: job.user_id,
        group: name,
        jobId: job.id,
        signal,
        ...(group.supportsTimeFilter
          ? {
              ...(job.start_time !== null ? { startTime: new Date(job.start_time) } : {}),
              endTime: new Date(job.end_time ?? job.export_time),
            }
          : {}),
      });
      yield { name, files };
    }
  }

  return {
    handle,
    cancelLocal(jobId: string): void {
      runs.get(jobId)?.abort(new RunStopped('cancelled'));
    },
  };
}
