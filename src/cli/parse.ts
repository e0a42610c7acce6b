import { InvalidArgumentError } from 'commander';
import { DurationSyntaxError, formatDuration, parseDuration } from '../durations.js';

/** A duration on the command line (durations.ts), refused as commander refuses a bad argument. */
export function parseDurationMs(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof DurationSyntaxError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

export { formatDuration };

/** An RFC 3339 time (`2026-03-01T00:00:00Z`, or a date `2026-03-01`, taken as UTC) or a duration ago (`7d`). */
export function parseTime(text: string, now: () => number): Date {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d|w)/.test(trimmed) && !/^\d{4}-/.test(trimmed)) return new Date(now() - parseDurationMs(trimmed));
  const date = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? new Date(`${trimmed}T00:00:00Z`) : new Date(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`expected a time such as 2026-03-01T12:00:00Z, 2026-03-01 or 7d (ago), got "${text}"`);
  }
  return date;
}

/** A comma-separated list: `a,b, c` -> ['a', 'b', 'c']. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `512KiB`, `1MiB`, `200000`: bytes. */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`expected a size such as 64KiB or 2MiB, got "${text}"`);
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, k: 1024, mb: 1e6, mib: 1024 ** 2, m: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, g: 1024 ** 3 };
  const bytes = Math.floor(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
  if (bytes < 1) throw new InvalidArgumentError(`must be at least 1 byte, got "${text}"`);
  return bytes;
}

/** `1.5 MiB`: a size for people. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
