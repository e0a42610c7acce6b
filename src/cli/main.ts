import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { createDataport } from '../app.js';
import { googleCatalog, loadCatalogFile } from '../catalog/index.js';
import { ACCESS_MODES, createTokenService } from '../auth/index.js';
import { migrateToLatest, openDatabase, type AccessMode } from '../store/index.js';
import { runUntilSignal } from './run-until-signal.js';
import { registerAccountCommands } from './account-commands.js';

const program = new Command()
  .name('dataport')
  .description('Dataport: a self-hostable Data Portability API server (Google Data Portability API v1)')
  .showHelpAfterError();

program
  .command('start')
  .description('run the API and export workers in one process (the embedded default: SQLite and a local folder)')
  .action(async () => runUntilSignal(await createDataport(loadConfig(), { api: true, worker: true })));

program
  .command('serve')
  .description('run the API only (scaled deployments run `dataport worker` beside it)')
  .action(async () => runUntilSignal(await createDataport(loadConfig(), { api: true, worker: false })));

program
  .command('worker')
  .description('run export workers only')
  .action(async () => runUntilSignal(await createDataport(loadConfig(), { api: false, worker: true })));

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const config = loadConfig();
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    } finally {
      await database.close();
    }
  });

program
  .command('token')
  .description('grant a user access to resource groups and print an access token (an operator and test tool)')
  .requiredOption('--user <id>', 'the user whose data the token reads')
  .requiredOption('--resources <groups>', 'comma-separated resource groups, e.g. myactivity.search,chrome.history', (v) =>
    v.split(',').map((s) => s.trim()).filter(Boolean),
  )
  .addOption(new Option('--access <mode>', 'once, 30d or 180d').choices(ACCESS_MODES).default('once'))
  .option('--client <id>', 'the OAuth client the grant is for', 'dataport-cli')
  .action(async (options: { user: string; resources: string[]; access: AccessMode; client: string }) => {
    const config = loadConfig();
    const catalog = config.catalog ? loadCatalogFile(config.catalog.file, config.catalog.env).catalog : googleCatalog();
    const unknown = options.resources.filter((r) => !catalog.get(r));
    if (unknown.length > 0) throw new InvalidArgumentError(`unknown resource group: ${unknown.join(', ')}`);
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      if (database.dialect === 'sqlite') await migrateToLatest(database.db);
      const tokens = createTokenService({ db: database.db, catalog, now: Date.now, tokenLifetimeMs: config.tokenLifetimeMs });
      const issued = await tokens.grantAndIssueToken({ userId: options.user, clientId: options.client, resources: options.resources, access: options.access });
      console.error(`granted ${options.access} access to ${options.resources.length} group(s) for user ${options.user}, client ${options.client}; token expires ${new Date(issued.expiresAt).toISOString()}`);
      console.log(issued.accessToken);
    } finally {
      await database.close();
    }
  });

registerAccountCommands(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ConfigError || error instanceof InvalidArgumentError) {
    console.error(`dataport: ${error.message}`);
    process.exit(2);
  }
  console.error(`dataport: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
