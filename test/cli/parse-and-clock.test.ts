import { describe, expect, it } from 'vitest';
import { formatDuration, parseByteSize, parseDurationMs, parseTime } from '../../src/cli/parse.js';
import { createEmulatorClock } from '../../src/emulator/index.js';
import { explainExhausted } from '../../src/cli/export/run-export.js';
import { PortabilityApiError } from '../../src/client/index.js';
import { archiveFileName } from '../../src/cli/export/download.js';

describe('CLI argument parsing', () => {
  it('durations: units required, composable; anything else is refused', () => {
    expect(parseDurationMs('24h')).toBe(86_400_000);
    expect(parseDurationMs('1d12h')).toBe(36 * 3_600_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    for (const bad of ['24', 'h', '1 day', '-1h', '']) expect(() => parseDurationMs(bad), bad).toThrow(/expected a duration/);
  });

  it('times: RFC 3339, a date (UTC), or a duration ago', () => {
    const now = () => Date.parse('2026-03-10T00:00:00Z');
    expect(parseTime('2026-03-01T12:00:00Z', now).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(parseTime('2026-03-01', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseTime('7d', now).toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(() => parseTime('yesterday', now)).toThrow(/expected a time/);
  });

  it('sizes and human durations', () => {
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize('2000')).toBe(2000);
    expect(() => parseByteSize('lots')).toThrow(/expected a size/);
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(200)).toBe('200ms');
    expect(formatDuration(90_061_000)).toBe('1d 1h 1m');
  });

  it("archive file names: Dataport's name= parameter, else the last path segment, made safe", () => {
    expect(archiveFileName('http://h/downloads/archives/j/1/part-000.zip?name=dataport-abc-001.zip&expires=1&signature=s', 0)).toBe('dataport-abc-001.zip');
    expect(archiveFileName('https://storage.example/b/takeout%20one.zip?X-Goog-Signature=s', 0)).toBe('takeout_one.zip');
    expect(archiveFileName('https://storage.example/', 2)).toBe('archive-003.zip');
    expect(archiveFileName('https://storage.example/..%2F..%2Fetc', 0)).not.toContain('/');
  });

  it('RESOURCE_EXHAUSTED is explained with the time the next export is allowed', () => {
    const error = new PortabilityApiError(429, 'RESOURCE_EXHAUSTED', 'exhausted', 'RESOURCE_EXHAUSTED_TIME_BASED', {
      timestamp_after_24hrs: '2026-03-02T00:00:00Z',
      previous_job_ids: 'abc',
    });
    expect(explainExhausted(error, Date.parse('2026-03-01T12:00:00Z'))).toBe(
      'RESOURCE_EXHAUSTED: a time-based authorization allows one export of each resource group per 24 hours. ' +
        'The next export is allowed after 2026-03-02T00:00:00Z (in 12h). Earlier job(s): abc.',
    );
  });
});

describe('the emulator clock', () => {
  it('adds the stored offset to the system time once started, and follows changes on refresh', async () => {
    let stored = 0;
    const clock = createEmulatorClock({ readOffsetMs: async () => stored, systemNow: () => 1_000, refreshMs: 60_000 });
    expect(clock.now()).toBe(1_000);
    stored = 86_400_000;
    await clock.start();
    expect(clock.now()).toBe(86_401_000);
    stored = 0;
    await clock.refresh();
    expect(clock.now()).toBe(1_000);
    clock.stop();
  });
});
