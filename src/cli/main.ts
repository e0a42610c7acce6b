import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import type { DataportOptions } from '../app.js';
import type { AccessMode } from '../store/index.js';
import { runUntilSignal } from './run-until-signal.js';
import { CliError, EXIT } from './exit-codes.js';
import { parseList } from './parse.js';
import { withOperatorDataport } from './operator-dataport.js';
import { jobsCommand } from './commands/jobs.js';
import { gcCommand } from './commands/gc.js';
import { faultsCommand } from './commands/faults.js';
import { clockCommand } from './commands/clock.js';
import { exportCommand } from './commands/export.js';
import { webhooksCommand } from './commands/webhooks.js';
import { auditCommand } from './commands/audit.js';
import { operatorsCommand } from './commands/operators.js';
import { registerAccountCommands } from './account-commands.js';

/**
 * The server's parts (database drivers, the S3 SDK, the OAuth provider) take a second or more to import; they
 * are loaded by the commands that use them, so `dataport export` and `--help` start at once.
 */
async function runServer(roles: Pick<DataportOptions, 'api' | 'worker'>): Promise<void> {
  const { createDataport } = await import('../app.js');
  await runUntilSignal(await createDataport(loadConfig(), { ...roles, prestartExportThreads: true }));
}

/** The grant lengths of `token --access`; fails to compile if AccessMode gains one this list lacks. */
const ACCESS_CHOICES = ['once', '30d', '180d'] as const satisfies readonly AccessMode[];
const accessChoicesComplete: Exclude<AccessMode, (typeof ACCESS_CHOICES)[number]> extends never ? true : never = true;
void accessChoicesComplete;

const program = new Command()
  .name('dataport')
  .description('Dataport: a self-hostable Data Portability API server (Google Data Portability API v1)')
  .showHelpAfterError()
  // Commander's own errors (unknown option, missing argument) become exit code 2 below, not its default 1.
  .exitOverride()
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 RESOURCE_EXHAUSTED (export),
4 job FAILED (export), 5 job CANCELLED (export), 6 job not found, 7 refused by the job's state or
the server's setup, 130 interrupted. See docs/cli.md.`,
  );

program
  .command('start')
  .description('run the API and export workers in one process (the embedded default: SQLite and a local folder)')
  .action(async () => runServer({ api: true, worker: true }));

program
  .command('serve')
  .description('run the API only (scaled deployments run `dataport worker` beside it)')
  .action(async () => runServer({ api: true, worker: false }));

program
  .command('worker')
  .description('run export workers only')
  .action(async () => runServer({ api: false, worker: true }));

program
  .command('migrate')
  .description('apply pending database migrations (and, at scale, install the job queue schema and create the S3 bucket)')
  .action(async () => {
    const config = loadConfig();
    const { ensureS3Bucket, migrateToLatest, openDatabase } = await import('../store/index.js');
    const { createPgBossQueue } = await import('../queue/index.js');
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
      if (database.dialect === 'postgres' && config.databaseUrl) {
        // pg-boss keeps its own schema (dataport_queue) beside ours; install or upgrade it here too, so the
        // serve and worker processes never need rights to create schemas.
        const queue = createPgBossQueue({
          databaseUrl: config.databaseUrl,
          supervise: false,
          onMovedFromPgBoss10: (deliveries) => console.log(`moved ${deliveries} waiting jobs over from pg-boss 10's queue schema (pgboss)`),
        });
        await queue.ready();
        await queue.stop(0);
        console.log('job queue schema (pg-boss) is up to date');
      }
      if (config.storage.kind === 's3') {
        await ensureS3Bucket(config.storage);
        console.log(`bucket ${config.storage.bucket} is ready`);
      }
    } finally {
      await database.close();
    }
  });

program
  .command('token')
  .description('grant a user access to resource groups and print an access token (an operator and test tool)')
  .requiredOption('--user <id>', 'the user whose data the token reads')
  .requiredOption('--resources <groups>', 'comma-separated resource groups, e.g. myactivity.search,chrome.history', parseList)
  .addOption(new Option('--access <mode>', 'once, 30d or 180d').choices(ACCESS_CHOICES).default('once'))
  .option('--client <id>', 'the OAuth client the grant is for', 'dataport-cli')
  .action(async (options: { user: string; resources: string[]; access: AccessMode; client: string }) => {
    // Through the server's own parts, so the catalog is the server's and the grant and token follow its
    // clock (the emulator's offset included): a token minted after `dataport clock advance` is valid then.
    await withOperatorDataport(async (dataport) => {
      const unknown = options.resources.filter((r) => !dataport.catalog.get(r));
      if (unknown.length > 0) throw new InvalidArgumentError(`unknown resource group: ${unknown.join(', ')}`);
      const issued = await dataport.tokens.grantAndIssueToken({
        userId: options.user,
        clientId: options.client,
        resources: options.resources,
        access: options.access,
        origin: { operator: 'cli' },
      });
      console.error(
        `granted ${options.access} access to ${options.resources.length} group(s) for user ${options.user}, client ${options.client}; token expires ${new Date(issued.expiresAt).toISOString()}`,
      );
      console.log(issued.accessToken);
    });
  });

program.addCommand(jobsCommand());
program.addCommand(gcCommand());
program.addCommand(faultsCommand());
program.addCommand(clockCommand());
program.addCommand(exportCommand());
program.addCommand(webhooksCommand());
program.addCommand(auditCommand());
program.addCommand(operatorsCommand());

registerAccountCommands(program);

// Commands built elsewhere (`new Command()` + addCommand) do not inherit these settings; apply them to all.
(function inheritErrorHandling(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride().showHelpAfterError();
    inheritErrorHandling(sub);
  }
})(program);

try {
  await program.parseAsync();
} catch (error) {
  // Exit at once: a failed command may leave a pool or a timer behind that would keep the process alive.
  process.exit(exitCodeFor(error));
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) {
    console.error(`dataport: ${error.message}`);
    return error.exitCode;
  }
  // Commander has printed its message (and the help) already; help and --version are not errors.
  if (error instanceof CommanderError && !(error instanceof InvalidArgumentError)) {
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (error instanceof ConfigError || error instanceof InvalidArgumentError) {
    console.error(`dataport: ${error.message}`);
    return EXIT.USAGE;
  }
  console.error(`dataport: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.FAILURE;
}
