export type { Metrics } from './types.js';
export { NO_METRICS } from './types.js';
export { createPrometheusMetrics, type PrometheusMetrics, type PrometheusMetricsDeps } from './prometheus.js';
export { serveMetrics } from './serve.js';
