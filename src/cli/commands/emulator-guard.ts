import type { Dataport } from '../../app.js';
import type { DemoSourceStatus } from '../../emulator/index.js';
import { CliError, EXIT } from '../exit-codes.js';

/**
 * Emulator controls make sense only against a server that runs the demo source: on a data holder's own
 * data, faults and a shifted clock would be a foot-gun. The server records at start whether it does.
 */
export async function requireDemoSource(dataport: Dataport): Promise<DemoSourceStatus> {
  const { readDemoSourceStatus } = await import('../../emulator/index.js');
  const status = await readDemoSourceStatus(dataport.db);
  const where = dataport.config.databaseUrl ? 'DATAPORT_DATABASE_URL' : `DATAPORT_DATA_DIR (${dataport.config.dataDir})`;
  if (!status) {
    throw new CliError(`no Dataport server has started on this database yet (${where}); start it first, then use the emulator controls`, EXIT.REFUSED);
  }
  if (!status.enabled) {
    throw new CliError(
      `the server on this database (${where}) does not run the demo source, so there is no emulator to control: faults and the clock offset apply only to the demo catalog`,
      EXIT.REFUSED,
    );
  }
  return status;
}
