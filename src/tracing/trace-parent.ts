import { ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * W3C Trace Context's `traceparent` (version 00), written and read here rather than through a registered
 * propagator: a job row and a queue message carry it as a plain string, and no propagator needs to be set
 * up for that (nor loaded when tracing is off).
 */
const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context as a `traceparent` value; undefined for no span or an invalid (non-recording no-op) one. */
export function formatTraceParent(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0')}`;
}

/** A remote span context from a `traceparent` value; undefined for anything malformed (the spec says: ignore it). */
export function parseTraceParent(value: string | null | undefined): SpanContext | undefined {
  const m = value ? TRACE_PARENT.exec(value.trim()) : null;
  if (!m) return undefined;
  const spanContext: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** A context whose parent is the span `traceParent` names (the root context when it names none). */
export function contextFromTraceParent(traceParent: string | null | undefined): Context {
  const parent = parseTraceParent(traceParent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}
