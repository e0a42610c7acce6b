import { loadConfig } from '../config.js';
import type { Dataport } from '../app.js';
import { createLogger } from '../logger.js';

/**
 * Opens the server's database, blob store and job domain from the same configuration as the server
 * (DATAPORT_DATA_DIR or DATAPORT_DATABASE_URL), without serving or running workers, so operator commands
 * work beside a running server. Its clock is the emulator's, like the server's.
 */
export async function withOperatorDataport<T>(run: (dataport: Dataport) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Warnings and errors only, on stderr: the command's own output is what goes to stdout.
  const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', { toStderr: true });
  // Loaded on demand: the server's parts (database drivers, S3, OAuth) take a while to import, and
  // `dataport export` and `--help` need none of them.
  const { createDataport } = await import('../app.js');
  const dataport = await createDataport(config, { api: false, worker: false, logger });
  try {
    return await run(dataport);
  } finally {
    await dataport.close(2000);
  }
}
