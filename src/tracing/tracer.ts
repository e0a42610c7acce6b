import { trace, type Tracer } from '@opentelemetry/api';

/**
 * Spans are made through `@opentelemetry/api` only. Until an SDK is registered (tracing on) every call is the
 * API's no-op: no span is recorded, nothing is exported, and the SDK and exporter are never imported.
 */
export function tracer(): Tracer {
  // Asked for on each use, not kept: a tracer taken before an SDK was registered (or after one was shut down
  // and another registered, as tests do) would keep answering from the provider it first found.
  return trace.getTracer('dataport');
}
