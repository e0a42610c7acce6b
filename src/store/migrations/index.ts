import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-init.js';

/** Ordered list of migrations; append only, never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-init': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export const latestMigration = Object.keys(migrations).sort().at(-1)!;
