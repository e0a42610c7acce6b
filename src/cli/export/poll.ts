import { setTimeout as sleep } from 'node:timers/promises';
import type { PortabilityArchiveState, PortabilityClient } from '../../client/index.js';
import { formatDuration } from '../parse.js';

export interface PollOptions {
  /** First pause between polls; it grows by half each time up to `maxIntervalMs`. */
  initialIntervalMs: number;
  maxIntervalMs: number;
  signal: AbortSignal;
  /** Where the status goes: redrawn in place on a terminal, a line per change (or per minute) otherwise. */
  stream: NodeJS.WriteStream;
  /** Waits between polls instead of a plain pause, returning early when the job's notification comes (--notify). */
  wait?: (jobId: string, ms: number, signal: AbortSignal) => Promise<unknown>;
}

/** Polls the job's state with backoff until it leaves IN_PROGRESS, showing the state and the time elapsed. */
export async function waitForArchive(api: PortabilityClient, jobId: string, options: PollOptions): Promise<PortabilityArchiveState> {
  const started = Date.now();
  const tty = options.stream.isTTY === true;
  let interval = options.initialIntervalMs;
  let lastState = '';
  let lastLineAt = 0;
  try {
    for (;;) {
      const state = await api.getArchiveState(jobId);
      const elapsed = formatDuration(Date.now() - started);
      if (state.state !== 'IN_PROGRESS') {
        if (tty) options.stream.write('\r\x1b[2K');
        options.stream.write(`job ${jobId} ${state.state} after ${elapsed}\n`);
        return state;
      }
      const text = `job ${jobId} ${state.state} · ${elapsed} elapsed · next check in ${formatDuration(interval)}`;
      if (tty) options.stream.write(`\r\x1b[2K${text}`);
      else if (state.state !== lastState || Date.now() - lastLineAt >= 60_000) {
        options.stream.write(`${text}\n`);
        lastLineAt = Date.now();
      }
      lastState = state.state;
      if (options.wait) await options.wait(jobId, interval, options.signal);
      else await sleep(interval, undefined, { signal: options.signal });
      interval = Math.min(options.maxIntervalMs, Math.round(interval * 1.5));
    }
  } finally {
    if (tty && lastState === 'IN_PROGRESS' && options.signal.aborted) options.stream.write('\n');
  }
}
