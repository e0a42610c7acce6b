import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import type { createAccountService, createClientService } from '../auth/index.js';
import { clientWebhookCommand } from './commands/webhooks.js';
import { readStdin } from './read-stdin.js';

/** Opens the configured database (migrating SQLite, as `dataport token` does), runs `fn`, closes it. */
async function withServices<T>(
  fn: (s: { accounts: ReturnType<typeof createAccountService>; clients: ReturnType<typeof createClientService> }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  // Loaded here rather than at the top, so other commands do not pay for the OAuth provider's import.
  const { AccountError, ClientError, createAccountService, createClientService } = await import('../auth/index.js');
  const { migrateToLatest, openDatabase } = await import('../store/index.js');
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (database.dialect === 'sqlite') await migrateToLatest(database.db);
    const deps = { db: database.db, now: Date.now };
    return await fn({ accounts: createAccountService(deps), clients: createClientService(deps) });
  } catch (error) {
    if (error instanceof AccountError || error instanceof ClientError) throw new InvalidArgumentError(error.message);
    throw error;
  } finally {
    await database.close();
  }
}

/** `dataport users ...` and `dataport clients ...`: local accounts and registered OAuth clients. */
export function registerAccountCommands(program: Command): void {
  const users = program.command('users').description('local accounts that sign in on the consent page');
  users
    .command('add <id>')
    .description('create a user (or set a new password); without --password-stdin a password is generated and printed')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (id: string, options: { passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readStdin() : (await import('../auth/index.js')).generatePassword();
      await withServices(({ accounts }) => accounts.addUser(id, password));
      console.error(`user ${id} can now sign in`);
      if (!options.passwordStdin) console.log(password);
    });
  users
    .command('list')
    .description('list users as JSON')
    .action(async () => console.log(JSON.stringify(await withServices(({ accounts }) => accounts.listUsers()), null, 2)));
  users
    .command('remove <id>')
    .description('delete a user (their grants stay until revoked)')
    .action(async (id: string) => {
      if (!(await withServices(({ accounts }) => accounts.removeUser(id)))) throw new InvalidArgumentError(`no user ${id}`);
      console.error(`user ${id} removed`);
    });

  const clients = program.command('clients').description('OAuth clients (apps) allowed to ask users for consent');
  clients
    .command('add')
    .description('register a client; prints JSON with client_id (and client_secret for confidential clients)')
    .requiredOption('--name <name>', 'the name users see on the consent page')
    .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeat for more)', (v: string, all: string[] = []) => [...all, v])
    .option('--public', 'a public client (native or browser app): no secret, PKCE required')
    .action(async (options: { name: string; redirectUri: string[]; public?: boolean }) => {
      const client = await withServices(({ clients: c }) =>
        c.addClient({ name: options.name, redirectUris: options.redirectUri, public: options.public === true }),
      );
      console.log(JSON.stringify(client, null, 2));
    });
  clients
    .command('list')
    .description('list clients as JSON (secrets are not shown)')
    .action(async () => console.log(JSON.stringify(await withServices(({ clients: c }) => c.listClients()), null, 2)));
  clients
    .command('remove <client_id>')
    .description('remove a client and end every grant and token it holds')
    .action(async (id: string) => {
      if (!(await withServices(({ clients: c }) => c.removeClient(id)))) throw new InvalidArgumentError(`no client ${id}`);
      console.error(`client ${id} removed; its grants and tokens are revoked`);
    });
  clients.addCommand(clientWebhookCommand());
}
