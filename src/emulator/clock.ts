/**
 * The emulator's clock: the system time plus an offset kept in the database (`dataport clock advance 24h`),
 * so a client developer can cross the 24-hour limit of time-based access, URL and archive expiry
 * (6 hours, 14 days) and grant expiry (30/180 days) without waiting.
 *
 * `now()` must stay synchronous and cheap (it runs on every request and every record batch), so it reads a
 * cached offset; a timer refreshes the cache from the database. A change made by the CLI therefore takes
 * effect in a running server within `refreshMs`.
 */
export interface EmulatorClock {
  /** System time plus the current offset, in epoch milliseconds. */
  now(): number;
  /** The offset `now()` currently adds. */
  offsetMs(): number;
  /** Loads the offset once, then keeps it fresh until `stop()`. */
  start(): Promise<void>;
  /** Reads the offset from the database now (tests and the CLI call this instead of waiting a tick). */
  refresh(): Promise<void>;
  stop(): void;
}

export interface EmulatorClockOptions {
  readOffsetMs: () => Promise<number>;
  systemNow?: () => number;
  /** One second: a test that advances the clock waits at most this long; one indexed read a second is free. */
  refreshMs?: number;
  onError?: (error: unknown) => void;
}

export function createEmulatorClock(options: EmulatorClockOptions): EmulatorClock {
  const systemNow = options.systemNow ?? Date.now;
  const refreshMs = options.refreshMs ?? 1000;
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  /** A tick's read still waiting on a slow database: the next tick skips rather than queueing another. */
  let ticking = false;

  async function refresh(): Promise<void> {
    offset = await options.readOffsetMs();
  }

  return {
    now: () => systemNow() + offset,
    offsetMs: () => offset,
    refresh,
    async start() {
      await refresh();
      timer ??= setInterval(() => {
        if (ticking) return;
        ticking = true;
        refresh()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            ticking = false;
          });
      }, refreshMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
