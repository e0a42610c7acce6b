import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config.js';
import type { OperatorService } from '../../auth/index.js';
import { readStdin } from '../read-stdin.js';

/** Opens the configured database (migrating SQLite, as `dataport users` does), runs `fn`, closes it. */
async function withOperators<T>(fn: (operators: OperatorService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { AccountError, createOperatorService } = await import('../../auth/index.js');
  const { migrateToLatest, openDatabase } = await import('../../store/index.js');
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (database.dialect === 'sqlite') await migrateToLatest(database.db);
    return await fn(createOperatorService({ db: database.db, now: Date.now }));
  } catch (error) {
    if (error instanceof AccountError) throw new InvalidArgumentError(error.message);
    throw error;
  } finally {
    await database.close();
  }
}

/** `dataport operators add|list|remove`: who may sign in to the operator's console at /admin. */
export function operatorsCommand(): Command {
  const operators = new Command('operators').description('operator accounts of the console at /admin (apart from end users)');
  operators
    .command('add <id>')
    .description('create an operator (or set a new password); without --password-stdin a password is generated and printed')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (id: string, options: { passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readStdin() : (await import('../../auth/index.js')).generatePassword();
      await withOperators((service) => service.addOperator(id, password));
      console.error(`operator ${id} can now sign in at /admin`);
      if (!options.passwordStdin) console.log(password);
    });
  operators
    .command('list')
    .description('list operators as JSON')
    .action(async () => console.log(JSON.stringify(await withOperators((service) => service.listOperators()), null, 2)));
  operators
    .command('remove <id>')
    .description('delete an operator and end their console sessions')
    .action(async (id: string) => {
      if (!(await withOperators((service) => service.removeOperator(id)))) throw new InvalidArgumentError(`no operator ${id}`);
      console.error(`operator ${id} removed`);
    });
  return operators;
}
