import { context, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind } from '@opentelemetry/api';
import type { TracingConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { formatTraceParent } from './trace-parent.js';
import { tracer } from './tracer.js';

export { contextFromTraceParent, parseTraceParent } from './trace-parent.js';
export { registerHttpSpans } from './http-spans.js';
export { tracer } from './tracer.js';

/**
 * Runs `work` in a new span that is active for everything it awaits, and ends the span when it settles;
 * an error is recorded on the span (status ERROR) and thrown on.
 */
export async function withSpan<T>(
  name: string,
  options: { attributes?: Attributes; kind?: SpanKind; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.kind !== undefined ? { kind: options.kind } : {}) },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks a span failed with the error's name and message. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The active span as a `traceparent` value (stored with a job so its run joins the trace), or undefined. */
export function activeTraceParent(): string | undefined {
  return formatTraceParent(trace.getActiveSpan()?.spanContext());
}

export interface Tracing {
  /** Whether spans are recorded and exported (an SDK is registered by this process). */
  readonly enabled: boolean;
  /** Exports the spans still buffered and unregisters the SDK. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** One SDK per process (OpenTelemetry's globals); every Dataport in it shares it, the last to close shuts it down. */
let shared: { users: number; sdk: Promise<{ shutdown(): Promise<void> }> } | undefined;

/**
 * Registers the OpenTelemetry SDK when `config` is set: imported only then, so a server without an OTLP
 * endpoint loads nothing of it. Spans are batched and sent in the background; an exporter that cannot reach
 * its collector logs (through `logger`) and drops them, never failing a request or an export.
 */
export async function startTracing(config: TracingConfig | undefined, logger: Logger): Promise<Tracing> {
  if (!config) return OFF;
  if (!shared) {
    const sdk = import('./sdk.js').then((m) => m.registerSdk(config, logger));
    shared = { users: 0, sdk };
    sdk.catch(() => (shared = undefined));
  }
  const current = shared;
  current.users++;
  await current.sdk;
  logger.info({ url: config.url, protocol: config.protocol, serviceName: config.serviceName }, 'OpenTelemetry tracing on');
  let closed = false;
  return {
    enabled: true,
    async shutdown() {
      if (closed) return;
      closed = true;
      if (--current.users > 0) return;
      if (shared === current) shared = undefined;
      await (await current.sdk).shutdown();
    },
  };
}
