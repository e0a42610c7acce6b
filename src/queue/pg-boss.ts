import pg from 'pg';
import { PgBoss, type Db as PgBossDb, type JobWithMetadata } from 'pg-boss';
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
  /** Hears how many waiting deliveries were moved over from pg-boss 10's schema (once, after an upgrade). */
  onMovedFromPgBoss10?: (deliveries: number) => void;
}

/** One queue for all archive jobs; its name is part of the stored data, so never rename it. */
const EXPORT_QUEUE = 'dataport-export';
/**
 * The schema pg-boss 12 keeps its tables in. Not pg-boss's default (`pgboss`): that one holds pg-boss 10's
 * tables in a database Dataport used before, which pg-boss 12 cannot migrate (it upgrades schemas made by
 * pg-boss 11 or later only). Beside it, processes still on pg-boss 10 keep working during a rolling upgrade;
 * their waiting deliveries are moved over (`moveWaitingFromPgBoss10`).
 */
const SCHEMA = 'dataport_queue';
/** pg-boss 10's schema, and the version it recorded there (pg-boss 10.x made schema version 24). */
const PG_BOSS_10_SCHEMA = 'pgboss';
const PG_BOSS_10_SCHEMA_VERSION = 24;

/**
 * A running delivery's worker touches it this often over this many seconds (pg-boss's minimum is 10): a
 * delivery not touched for that long (its worker was killed or lost its connection) is failed by pg-boss's
 * supervisor and delivered again. The job row's lease stays the liveness signal that counts (the takeover
 * sweep acts on it, ahead of the backlog); this keeps pg-boss's own row from looking busy for a dead worker.
 */
const HEARTBEAT_SECONDS = 15;
/** How often the supervisor (worker processes) looks for deliveries whose heartbeat stopped, among others. */
const SUPERVISE_SECONDS = 15;
/**
 * The longest a delivery may run, pg-boss's maximum: a live export is never cut short by pg-boss (the
 * heartbeat, not this, notices a dead worker). Only a worker that heartbeats but never finishes meets it.
 */
const EXPIRE_IN_SECONDS = 86_400;
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
    schema: SCHEMA,
    max: options.poolSize ?? 4,
    supervise: options.supervise,
    superviseIntervalSeconds: SUPERVISE_SECONDS,
    monitorIntervalSeconds: SUPERVISE_SECONDS,
    // No cron schedules are used; skip the clock-skew monitor and schedule polling they need.
    schedule: false,
    // Nothing reads pg-boss's registry of instances; each process would write its row every 30 s.
    registerInstance: false,
    // Dataport's own spans cover the queue (queue.dispatch, the run joined to its initiate by the job row);
    // pg-boss's would add a trace of its own for every poll of every idle worker once tracing is on.
    openTelemetry: { enabled: false },
    migrate: true,
  });
  boss.on('error', (error) => options.onError?.(error));

  let started: Promise<void> | undefined;
  function ready(): Promise<void> {
    started ??= (async () => {
      await boss.start();
      // Safe to run in many processes at once: pg-boss 12 serializes queue creation with an advisory lock
      // (pg-boss 10 did not, and concurrent starts on a fresh database died of "deadlock detected").
      await boss.createQueue(EXPORT_QUEUE, {
        policy: 'standard',
        expireInSeconds: EXPIRE_IN_SECONDS,
        heartbeatSeconds: HEARTBEAT_SECONDS,
        retryLimit: RETRY_LIMIT,
        retryDelay: 1,
        retryBackoff: true,
        deleteAfterSeconds: DELETE_AFTER_SECONDS,
      });
      const moved = await moveWaitingFromPgBoss10(options.databaseUrl, boss);
      if (moved > 0) options.onMovedFromPgBoss10?.(moved);
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

  /** The deliveries of a job still waiting (created or retry): its backlog, not the finished rows kept a day. */
  async function waiting(jobId: string) {
    await ready();
    return boss.findJobs<ExportMessage>(EXPORT_QUEUE, { data: { jobId }, queued: true });
  }

  async function hasPending(jobId: string): Promise<boolean> {
    // Only deliveries still waiting count: the callers ask about jobs nobody holds (no lease, or a lapsed one),
    // and a running delivery of such a job belongs to a worker that is gone or about to find the job taken.
    return (await waiting(jobId)).length > 0;
  }

  async function deliver(handler: DeliveryHandler, job: JobWithMetadata<ExportMessage>, signal: AbortSignal) {
    const deliveries = (job.data.deliveries ?? 0) + job.retryCount + 1;
    // Settling and touching name the attempt fetched: a delivery that pg-boss failed meanwhile (a heartbeat it
    // stopped seeing) and handed to another worker is left to that worker.
    const attempt = { id: job.id, retryCount: job.retryCount };
    const heartbeat = setInterval(
      () => {
        boss.touch(EXPORT_QUEUE, attempt).catch((error: unknown) => options.onError?.(error));
      },
      (HEARTBEAT_SECONDS * 1000) / 3,
    );
    try {
      const outcome = await handler({ jobId: job.data.jobId, deliveries, signal });
      // Send before completing: a crash in between leaves a duplicate (harmless), never a lost job.
      if (outcome.kind === 'retry') await send({ jobId: job.data.jobId, deliveries }, outcome.afterMs);
      await boss.complete(EXPORT_QUEUE, attempt);
    } catch (error) {
      options.onError?.(error);
      // A handler that throws has not settled the job: pg-boss delivers it again after retryDelay.
      await boss.fail(EXPORT_QUEUE, attempt, { message: error instanceof Error ? error.message : String(error) }).catch(options.onError);
    } finally {
      clearInterval(heartbeat);
    }
  }

  return {
    ready,
    async dispatch(jobId) {
      await send({ jobId, deliveries: 0 }, 0);
      consumer?.wake();
    },
    async redispatch(jobId) {
      // A delivery of the job may already be waiting at the back of the queue (a duplicate sent while its
      // run was starting): moving it ahead is the takeover, and it sends no second one.
      const found = await waiting(jobId);
      for (const delivery of found) {
        if (delivery.priority >= TAKEOVER_PRIORITY) continue;
        // Fetched in between: no longer waiting, so not updated (and no longer found below).
        await boss.update(EXPORT_QUEUE, undefined, { id: delivery.id, priority: TAKEOVER_PRIORITY });
      }
      if (found.length === 0 || !(await hasPending(jobId))) await send({ jobId, deliveries: 0 }, 0, TAKEOVER_PRIORITY);
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
        fetchNext: async () => (await boss.fetch<ExportMessage>(EXPORT_QUEUE, { batchSize: 1, includeMetadata: true }))[0],
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
        await boss.stop({ graceful: false, close: true });
      }
    },
  };
}

/**
 * Moves the deliveries waiting in pg-boss 10's schema (made by Dataport before pg-boss 12, which cannot
 * upgrade it) into this queue, keeping their priority and start time. One transaction, so each is moved
 * exactly once, also while several processes start at once (a second mover's DELETE waits for the first's
 * and finds nothing left) or processes still on pg-boss 10 keep sending (the next start moves those).
 * Running ones stay: their worker finishes them, or the takeover sweep acts on the lease it lets lapse.
 * Returns how many were moved. pg-boss 10's table is read directly: no pg-boss 12 API reaches it.
 */
async function moveWaitingFromPgBoss10(databaseUrl: string, boss: PgBoss): Promise<number> {
  // On a connection of its own: pg-boss's pool runs each statement on whichever connection is free.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const {
      rows: [schema],
    } = await client.query<{ table: string | null }>(`SELECT to_regclass($1) AS table`, [`${PG_BOSS_10_SCHEMA}.version`]);
    if (!schema?.table) return 0;
    const {
      rows: [version],
    } = await client.query<{ version: number }>(`SELECT version FROM ${PG_BOSS_10_SCHEMA}.version`);
    if (version?.version !== PG_BOSS_10_SCHEMA_VERSION) return 0;
    await client.query('BEGIN');
    const { rows } = await client.query<{ data: ExportMessage; priority: number; start_after: Date }>(
      `DELETE FROM ${PG_BOSS_10_SCHEMA}.job WHERE name = $1 AND state < 'active' RETURNING data, priority, start_after`,
      [EXPORT_QUEUE],
    );
    const inTransaction: PgBossDb = { executeSql: (text, values) => client.query(text, values) };
    if (rows.length > 0) {
      await boss.insert(
        EXPORT_QUEUE,
        rows.map((row) => ({ data: row.data, priority: row.priority, startAfter: row.start_after })),
        { db: inTransaction },
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } finally {
    // Ending the session rolls back a transaction left open by a failure.
    await client.end().catch(() => undefined);
  }
}
