import { pino, type Logger } from 'pino';

export type { Logger };

/** Servers log JSON to stdout; CLI commands pass `toStderr` so their own output on stdout stays clean. */
export function createLogger(level: string, options: { toStderr?: boolean } = {}): Logger {
  return options.toStderr ? pino({ level, base: { pid: process.pid } }, pino.destination(2)) : pino({ level, base: { pid: process.pid } });
}
