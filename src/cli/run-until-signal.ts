import type { Dataport } from '../app.js';

/**
 * Starts Dataport and stops it cleanly on SIGINT/SIGTERM: no new jobs are taken, running exports get
 * `DATAPORT_DRAIN_TIMEOUT` to finish, and the rest are handed back for another worker; then exit 0.
 */
export async function runUntilSignal(dataport: Dataport, drainDeadlineMs = dataport.config.drainTimeoutMs): Promise<void> {
  // Handlers go in before start-up and before the "running" line: a supervisor (or a test) that signals as
  // soon as it reads that line would otherwise hit the default action and kill the process undrained.
  // They stay installed until exit, so a second signal during the drain is ignored rather than fatal.
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  process.on('SIGINT', () => requestStop());
  process.on('SIGTERM', () => requestStop());
  const { url } = await dataport.start();
  if (url) console.error(`Dataport is running at ${url}  (discovery: ${url}/$discovery/rest?version=v1)`);
  await stopRequested;
  await dataport.close(drainDeadlineMs);
}
