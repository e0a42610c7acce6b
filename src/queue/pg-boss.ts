import pg from 'pg';
import PgBoss from 'pg-boss';
import { createConsumer, type Consumer } from './consumer.js';
import type { DeliveryHandler, JobQueue } from './types.js';

export interface PgBossQueueOptions {
  /** The PostgreSQL database pg-boss keeps its own schema (`pgboss`) in: Dataport's own database. */
  databaseUrl: string;
  /** Connections this process's pg-boss may open (beside the store's own pool). */
  poolSize?: number;
  /**
   * Whether this process runs pg-boss maintenance (expiring, archiving, purging its job rows). Worker
   * processes do; API processes only send. pg-boss serializes maintenance with an advisory lock.
   */
  supervise: boolean;
  /** How often an idle worker asks for work; dispatches from this same process wake it at once. */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

/** One queue for all archive jobs; its name is part of the stored data, so never rename it. */
const EXPORT_QUEUE = 'dataport-export';

/**
 * An active pg-boss job whose worker vanished is failed by pg-boss after this long and then retried.
 * It is a backstop only: pg-boss 10 has no heartbeat, so a long export would be "expired" while still
 * running. The real liveness signal is the job row's lease (heartbeated by the export runner); the
 * takeover sweep (`takeOverLapsedJobs`, every quarter of a lease) re-dispatches a job whose lease lapsed,
 * ahead of the backlog (`TAKEOVER_PRIORITY`), which recovers a killed worker's job about one lease after the
 * kill instead of this hour. Duplicate deliveries are harmless: the runner claims a job only when its lease
 * is free and fences everything by attempt.
 */
const EXPIRE_IN_SECONDS = 3600;
/** pg-boss's own redelivery of an expired or failed delivery; ours (the sweep) covers anything beyond. */
const RETRY_LIMIT = 3;
/**
 * The priority of a takeover (a job whose worker vanished): pg-boss fetches by priority first, then age, so
 * it runs before the backlog of new work (priority 0) instead of behind it. A takeover is rare and its user
 * has waited longest already; what it delays is at most one export per free worker slot.
 */
const TAKEOVER_PRIORITY = 10;
/** Finished pg-boss rows are history only (the job row is the truth): keep them a day for debugging. */
const DELETE_AFTER_SECONDS = 86_400;

interface ExportMessage {
  jobId: string;
  /** Deliveries before this message (a retry outcome re-sends the job as a new message). */
  deliveries: number;
}

/**
 * How jobs reach workers when Dataport runs on PostgreSQL: pg-boss, whose `SKIP LOCKED` fetch lets any
 * number of worker processes on any number of machines share one queue. At-least-once delivery is all
 * that is asked of it; exactly-once results come from the job row (claim, lease, attempt fencing).
 */
export function createPgBossQueue(options: PgBossQueueOptions): JobQueue & { ready(): Promise<void> } {
  const pollMs = options.pollMs ?? 500;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 4,
    supervise: options.supervise,
    // No cron schedules are used; skip the clock-skew monitor and schedule polling they need.
    schedule: false,
    migrate: true,
    deleteAfterSeconds: DELETE_AFTER_SECONDS,
  });
  boss.on('error', (error) => options.onError?.(error));

  let started: Promise<void> | undefined;
  function ready(): Promise<void> {
    started ??= (async () => {
      await boss.start();
      await oneAtATime(options.databaseUrl, () => boss.createQueue(EXPORT_QUEUE, {
        name: EXPORT_QUEUE,
        policy: 'standard',
        expireInSeconds: EXPIRE_IN_SECONDS,
        retryLimit: RETRY_LIMIT,
        retryDelay: 1,
        retryBackoff: true,
      }));
    })();
    return started;
  }

  let closed = false;
  let consumer: Consumer | undefined;

  async function send(message: ExportMessage, startAfterMs: number, priority = 0): Promise<void> {
    await ready();
    // pg-boss counts startAfter in whole seconds; round up so a backoff is never shortened to 0.
    const startAfter = startAfterMs > 0 ? Math.max(1, Math.ceil(startAfterMs / 1000)) : undefined;
    await boss.send(EXPORT_QUEUE, message, { ...(startAfter ? { startAfter } : {}), ...(priority ? { priority } : {}) });
  }

  async function hasPending(jobId: string): Promise<boolean> {
    await ready();
    // Only deliveries still waiting (created or retry) count. An active one is not proof of life
    // (pg-boss 10 keeps no heartbeat); the callers ask only about jobs nobody holds (no lease, or a lapsed
    // one), i.e. whose worker, if any, is gone. `state < 'active'` is pg-boss's own fetch-index predicate, so only the backlog is
    // scanned, not the finished rows it keeps for a day. pg-boss's table is read here, beside the one
    // module that knows pg-boss, because its API can only look a message up by pg-boss's own id.
    const { rows } = await boss.getDb().executeSql(
      `SELECT 1 FROM pgboss.job WHERE name = $1 AND state < 'active' AND data->>'jobId' = $2 LIMIT 1`,
      [EXPORT_QUEUE, jobId],
    );
    return rows.length > 0;
  }

  async function deliver(handler: DeliveryHandler, job: PgBoss.JobWithMetadata<ExportMessage>, signal: AbortSignal) {
    const deliveries = (job.data.deliveries ?? 0) + job.retryCount + 1;
    try {
      const outcome = await handler({ jobId: job.data.jobId, deliveries, signal });
      // Send before completing: a crash in between leaves a duplicate (harmless), never a lost job.
      if (outcome.kind === 'retry') await send({ jobId: job.data.jobId, deliveries }, outcome.afterMs);
      await boss.complete(EXPORT_QUEUE, job.id);
    } catch (error) {
      options.onError?.(error);
      // A handler that throws has not settled the job: pg-boss delivers it again after retryDelay.
      await boss.fail(EXPORT_QUEUE, job.id, { message: error instanceof Error ? error.message : String(error) }).catch(options.onError);
    }
  }

  return {
    ready,
    async dispatch(jobId) {
      await send({ jobId, deliveries: 0 }, 0);
      consumer?.wake();
    },
    async redispatch(jobId) {
      await ready();
      // A delivery of the job may already be waiting at the back of the queue (a duplicate sent while its
      // run was starting): moving it ahead is the takeover, and it sends no second one. Read and written
      // here, beside the one module that knows pg-boss, for the same reason as in hasPending above.
      const { rowCount } = await boss.getDb().executeSql(
        `UPDATE pgboss.job SET priority = $3 WHERE name = $1 AND state < 'active' AND data->>'jobId' = $2 AND priority < $3`,
        [EXPORT_QUEUE, jobId, TAKEOVER_PRIORITY],
      ) as { rowCount?: number | null };
      if (!rowCount && !(await hasPending(jobId))) await send({ jobId, deliveries: 0 }, 0, TAKEOVER_PRIORITY);
      consumer?.wake();
    },
    hasPending,
    async ping() {
      await ready();
      // Through pg-boss's own pool, beside the store's: it can fail on its own (exhausted, connections lost).
      await boss.getQueue(EXPORT_QUEUE);
    },
    async start(handler, { concurrency }) {
      await ready();
      consumer ??= createConsumer({
        fetchNext: async () => (await boss.fetch<ExportMessage>(EXPORT_QUEUE, { batchSize: 1, includeMetadata: true }))?.[0],
        deliver: (job, signal) => deliver(handler, job, signal),
        pollMs,
        onError: options.onError,
      });
      consumer.start(concurrency);
    },
    async stop(deadlineMs = 10_000) {
      // Past the deadline, running exports are aborted; the runner hands each job back (a retry outcome).
      await consumer?.stop(deadlineMs);
      if (started && !closed) {
        closed = true;
        await started.catch(() => undefined);
        await boss.stop({ graceful: false, close: true, wait: true });
      }
    },
  };
}

/** Key of the session advisory lock that serializes queue creation across processes (any fixed bigint). */
const CREATE_QUEUE_LOCK = 7_341_926_051;

/**
 * Runs `work` while holding a PostgreSQL advisory lock, so that only one process at a time does it.
 * pg-boss 10's createQueue is idempotent (insert … on conflict do nothing) but not safe to run concurrently
 * on a fresh database: the first caller's transaction inserts the queue row and then creates and attaches a
 * partition (taking a table lock on `pgboss.queue`), while a second caller's insert holds a row lock on that
 * table and waits for the first's row: PostgreSQL kills one as "deadlock detected", and the process that
 * started alongside the others (serve and worker at once, several workers) exited. Held on a connection of its
 * own, since pg-boss runs the call on its pool.
 */
async function oneAtATime<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [CREATE_QUEUE_LOCK]);
    return await work();
  } finally {
    // Ending the session releases the lock, also if the unlock is never reached.
    await client.end().catch(() => undefined);
  }
}
