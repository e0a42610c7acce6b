/**
 * Durations as people type and read them (`90s`, `1d12h`; `1d 2h 3m`), for the command line and the
 * operator's console alike. Configuration variables have their own, stricter syntax (config.ts).
 */

/** A text that is not a duration; its message says what was expected. */
export class DurationSyntaxError extends Error {
  override readonly name = 'DurationSyntaxError';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90s`, `24h`, `14d`, `1.5h`, also composed (`1d12h`); at least one unit is required. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const pieces = trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g);
  if (!pieces || pieces.join('') !== trimmed) {
    throw new DurationSyntaxError(`expected a duration such as 30s, 24h, 14d or 1d12h, got "${text}"`);
  }
  return Math.round(
    pieces.reduce((sum, piece) => {
      const [, n, unit] = DURATION.exec(piece)!;
      return sum + Number(n) * DURATION_UNITS[unit!]!;
    }, 0),
  );
}

/** `1d 2h 3m`, `-5m 10s`, `0s`: a duration for people. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && Math.abs(ms) < 1000) return `${Math.round(ms)}ms`;
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return `${sign}${parts.slice(0, 3).join(' ') || '0s'}`;
}
