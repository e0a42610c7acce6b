import cliProgress from 'cli-progress';
import { formatBytes, formatDuration } from '../parse.js';

/** One file's transfer: told how many bytes arrived; finished once. */
export interface TransferBar {
  advance(bytes: number): void;
  finish(): void;
}

export interface TransferProgress {
  /** A bar for `name`, `totalBytes` long, already `startAt` bytes in (a resumed download). */
  begin(name: string, totalBytes: number, startAt: number): TransferBar;
  /** A line that does not disturb the bars. */
  note(text: string): void;
  stop(): void;
}

/**
 * Download progress: live bars (cli-progress) on a terminal, and on anything else (CI logs, a pipe) plain
 * lines at most every `plainIntervalMs` per file plus one when it finishes, so logs stay readable.
 */
export function createTransferProgress(stream: NodeJS.WriteStream, options: { plainIntervalMs?: number; now?: () => number } = {}): TransferProgress {
  return stream.isTTY ? terminalProgress(stream) : plainProgress(stream, options.plainIntervalMs ?? 5000, options.now ?? Date.now);
}

function terminalProgress(stream: NodeJS.WriteStream): TransferProgress {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: ' {name} |{bar}| {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}',
      hideCursor: true,
      autopadding: true,
      clearOnComplete: false,
      fps: 10,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    begin(name, totalBytes, startAt) {
      const started = Date.now();
      let value = startAt;
      const payload = () => {
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        return { name, done: formatBytes(value), size: formatBytes(totalBytes), speed: `${formatBytes(Math.round((value - startAt) / seconds))}/s` };
      };
      const bar = bars.create(Math.max(1, totalBytes), startAt, payload());
      return {
        advance(bytes) {
          value += bytes;
          bar.update(value, payload());
        },
        finish() {
          bar.update(Math.max(1, totalBytes), payload());
        },
      };
    },
    note: (text) => bars.log(`${text}\n`),
    stop: () => bars.stop(),
  };
}

function plainProgress(stream: NodeJS.WriteStream, intervalMs: number, now: () => number): TransferProgress {
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    begin(name, totalBytes, startAt) {
      const started = now();
      let value = startAt;
      let lastLine = started;
      const line = (verb: string) => {
        const pct = totalBytes > 0 ? Math.floor((value / totalBytes) * 100) : 100;
        const seconds = Math.max(0.001, (now() - started) / 1000);
        write(
          `${verb} ${name}: ${formatBytes(value)} of ${formatBytes(totalBytes)} (${pct}%), ${formatBytes(Math.round((value - startAt) / seconds))}/s, ${formatDuration(now() - started)}`,
        );
      };
      write(startAt > 0 ? `downloading ${name}: ${formatBytes(totalBytes)}, resuming at byte ${startAt}` : `downloading ${name}: ${formatBytes(totalBytes)}`);
      return {
        advance(bytes) {
          value += bytes;
          if (now() - lastLine >= intervalMs) {
            lastLine = now();
            line('  ');
          }
        },
        finish: () => line('downloaded'),
      };
    },
    note: write,
    stop() {},
  };
}
