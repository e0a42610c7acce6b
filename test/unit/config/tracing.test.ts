import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const tracing = (env: Record<string, string>) => loadConfig(env).tracing;

describe('OpenTelemetry variables', () => {
  it('tracing is off without an OTLP endpoint, whatever else is set', () => {
    expect(tracing({})).toBeUndefined();
    expect(tracing({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBeUndefined();
  });

  it('the shared endpoint gets /v1/traces; the traces endpoint is used as given and wins', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'dataport',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/otlp/traces' })?.url).toBe(
      'https://b/otlp/traces',
    );
  });

  it('honours OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none, the protocol, the service name and the sampler', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(tracing({ ...on, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracing({ ...on, OTEL_SDK_DISABLED: 'false' })).toBeDefined();
    expect(tracing({ ...on, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracing({ ...on, OTEL_TRACES_EXPORTER: 'otlp' })).toBeDefined();
    expect(tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.protocol).toBe('http/json');
    expect(tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })?.protocol).toBe('http/protobuf');
    expect(tracing({ ...on, OTEL_SERVICE_NAME: 'dataport-eu' })?.serviceName).toBe('dataport-eu');
    expect(tracing({ ...on, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })?.sampler).toEqual({
      name: 'parentbased_traceidratio',
      ratio: 0.25,
    });
  });

  it('refuses what it cannot do, naming the variable and never echoing an endpoint', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(() => tracing({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL.*grpc is not supported/);
    expect(() => tracing({ ...on, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => tracing({ ...on, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => tracing({ ...on, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    const bad = (() => {
      try {
        tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318?key=s3cret' });
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as Error).message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect((bad as Error).message).not.toContain('s3cret');
  });
});
