import type { Dataport } from '../app.js';

/**
 * Starts Dataport and stops it cleanly on SIGINT/SIGTERM: no new jobs are taken, running exports get
 * `DATAPORT_DRAIN_TIMEOUT` to finish, and the rest are handed back for another worker; then exit 0.
 */
export async function runUntilSignal(dataport: Dataport, drainDeadlineMs = dataport.config.drainTimeoutMs): Promise<void> {
  const { url } = await dataport.start();
  if (url) console.error(`Dataport is running at ${url}  (discovery: ${url}/$discovery/rest?version=v1)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await dataport.close(drainDeadlineMs);
}
