import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from './types.js';

export interface PrometheusMetricsDeps {
  /** Jobs per state, read from the database when scraped (every process sees the shared count). */
  countJobsByState: () => Promise<Record<string, number>>;
  /** Jobs waiting for a worker (IN_PROGRESS, no lease), read when scraped. */
  queueDepth: () => Promise<number>;
}

/** Seconds: an export takes from well under a second (the demo) to hours (a large holder's). */
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600];
/** Bytes: 1 KiB to 64 GiB in steps of 8. */
const SIZE_BUCKETS = [1024, 8192, 65_536, 524_288, 4_194_304, 33_554_432, 268_435_456, 2_147_483_648, 17_179_869_184, 68_719_476_736];
/** Seconds: an API answer, from a cached poll (well under a millisecond) to a slow initiate. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export interface PrometheusMetrics extends Metrics {
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; text: string }>;
}

/**
 * The process's metrics in a registry of its own (not prom-client's global one: several Dataports in one
 * process, as in tests, each count their own). Job states and queue depth are read at scrape time.
 */
export function createPrometheusMetrics(deps: PrometheusMetricsDeps): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dataport_process_' });
  new Gauge({
    name: 'dataport_jobs',
    help: 'Archive jobs by state (all processes: read from the database).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await deps.countJobsByState();
      this.reset();
      for (const state of ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED']) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'dataport_queue_depth',
    help: 'Jobs IN_PROGRESS that no worker holds (all processes).',
    registers: [registry],
    async collect() {
      this.set(await deps.queueDepth());
    },
  });
  const busy = new Gauge({ name: 'dataport_workers_busy', help: 'Export runs in progress in this process.', registers: [registry] });
  const requests = new Counter({
    name: 'dataport_http_requests_total',
    help: 'HTTP requests answered by this process.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'dataport_http_request_duration_seconds',
    help: 'Time to answer an HTTP request.',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const downloaded = new Counter({ name: 'dataport_download_bytes_total', help: 'Archive bytes sent by the download route.', registers: [registry] });
  const signInFailures = new Counter({ name: 'dataport_sign_in_failures_total', help: 'Refused sign-ins.', labelNames: ['reason'], registers: [registry] });
  const jobsFinished = new Counter({
    name: 'dataport_jobs_finished_total',
    help: "Jobs this process's workers finished, by outcome.",
    labelNames: ['state'],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'dataport_job_duration_seconds',
    help: 'Time from claim to publication of jobs that included the group.',
    labelNames: ['group'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const jobSize = new Histogram({
    name: 'dataport_job_size_bytes',
    help: 'Archive size of published jobs that included the group.',
    labelNames: ['group'],
    buckets: SIZE_BUCKETS,
    registers: [registry],
  });
  const records = new Counter({
    name: 'dataport_exported_records_total',
    help: 'Records exported, by resource group.',
    labelNames: ['group'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'dataport_exported_bytes_total',
    help: 'Uncompressed bytes exported, by resource group.',
    labelNames: ['group'],
    registers: [registry],
  });

  return {
    apiRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    downloadBytes: (n) => downloaded.inc(n),
    signInFailure: (reason) => signInFailures.inc({ reason }),
    jobFinished(outcome) {
      jobsFinished.inc({ state: outcome.state });
      if (outcome.state !== 'COMPLETE') return;
      for (const g of outcome.groups) {
        jobDuration.observe({ group: g.name }, outcome.seconds);
        jobSize.observe({ group: g.name }, outcome.bytes);
        records.inc({ group: g.name }, g.records);
        bytes.inc({ group: g.name }, g.bytes);
      }
    },
    workerBusy: (delta) => busy.inc(delta),
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
