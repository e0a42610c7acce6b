import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      workerConcurrency: 2,
      partSizeBytes: 2 * 1024 ** 3,
      urlLifetimeSeconds: 21_600,
      archiveRetentionMs: 14 * 86_400_000,
      demoRecords: 200,
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(c.exportThreads).toBe(Math.min(16, availableParallelism()));
    expect(loadConfig({ DATAPORT_EXPORT_THREADS: '0' }).exportThreads).toBe(0);
  });

  it("limits: on by default where Google has them, 0 turns a rate or cap off, a headers timeout longer than the request's is refused", () => {
    expect(loadConfig({}).limits).toEqual({
      bodyLimitBytes: 1024 * 1024,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      idleTimeoutMs: 120_000,
      apiRateLimit: 60_000,
      apiRateWindowMs: 60_000,
      maxJobsPerUser: 10,
    });
    const off = loadConfig({ DATAPORT_API_RATE_LIMIT: '0', DATAPORT_MAX_JOBS_PER_USER: '0', DATAPORT_BODY_LIMIT: '64KiB' }).limits;
    expect(off).toMatchObject({ apiRateLimit: 0, maxJobsPerUser: 0, bodyLimitBytes: 65_536 });
    expect(() => loadConfig({ DATAPORT_HEADERS_TIMEOUT: '2m', DATAPORT_REQUEST_TIMEOUT: '1m' })).toThrow(/DATAPORT_HEADERS_TIMEOUT/);
    expect(() => loadConfig({ DATAPORT_BODY_LIMIT: '10' })).toThrow(/DATAPORT_BODY_LIMIT/);
  });

  it('reads units for sizes and durations', () => {
    const c = loadConfig({
      DATAPORT_PART_SIZE: '512MiB',
      DATAPORT_URL_LIFETIME: '90m',
      DATAPORT_ARCHIVE_RETENTION: '2d',
      DATAPORT_JOB_LEASE: '1500ms',
      DATAPORT_TOKEN_LIFETIME: '120',
    });
    expect(c.partSizeBytes).toBe(512 * 1024 ** 2);
    expect(c.urlLifetimeSeconds).toBe(5400);
    expect(c.archiveRetentionMs).toBe(2 * 86_400_000);
    expect(c.jobLeaseMs).toBe(1500);
    expect(c.tokenLifetimeMs).toBe(120_000);
  });

  it('a bad value stops start-up with a message naming every bad variable', () => {
    const bad = { PORT: 'eighty', DATAPORT_DEFLATE_LEVEL: '12', DATAPORT_URL_LIFETIME: 'soon', DATAPORT_EXPORT_THREADS: 'many' };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    try {
      loadConfig(bad);
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATAPORT_DEFLATE_LEVEL');
      expect(message).toContain('DATAPORT_URL_LIFETIME');
      expect(message).toContain('DATAPORT_EXPORT_THREADS');
    }
  });
});

describe('DATAPORT_TRUST_PROXY', () => {
  it('is off by default, on for true or 1, and anything else is refused with its name', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ DATAPORT_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATAPORT_TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(loadConfig({ DATAPORT_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(() => loadConfig({ DATAPORT_TRUST_PROXY: 'yes' })).toThrow(/DATAPORT_TRUST_PROXY/);
  });
});
