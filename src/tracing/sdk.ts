import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The OpenTelemetry SDK, imported by `startTracing` only when tracing is on (index.ts): a tracer provider
 * with a batch processor and the OTLP/HTTP exporter of the configured protocol, and AsyncLocalStorage for the
 * active span. No auto-instrumentation: Dataport makes its own spans (docs/operations.md lists them).
 */
export async function registerSdk(config: TracingConfig, logger: Logger): Promise<{ shutdown(): Promise<void> }> {
  // The SDK's own complaints (an unreachable collector, a rejected batch) go to Dataport's log.
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ args }, `OpenTelemetry: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `OpenTelemetry: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // Headers, timeout, compression and certificates come from OTEL_EXPORTER_OTLP_* (read by the exporter).
  const { OTLPTraceExporter } =
    config.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  const exporter = new OTLPTraceExporter({ url: config.url });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: samplerOf(config.sampler),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      // Unregistered first, so spans ended during the flush (none should be) go to the no-op provider.
      trace.disable();
      context.disable();
      diag.disable();
      await provider.shutdown().catch((err: unknown) => logger.warn({ err }, 'OpenTelemetry: could not export the last spans'));
    },
  };
}

function samplerOf({ name, ratio }: TracingConfig['sampler']): Sampler {
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
