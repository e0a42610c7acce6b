import type { Dataport } from '../app.js';

/** Starts Dataport and stops it cleanly on SIGINT/SIGTERM: running exports get a deadline to finish. */
export async function runUntilSignal(dataport: Dataport, drainDeadlineMs = 30_000): Promise<void> {
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
