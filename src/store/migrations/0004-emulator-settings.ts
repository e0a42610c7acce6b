import type { Kysely } from 'kysely';

/**
 * Run-time settings of the emulator (the demo source's faults, the clock offset, whether the server runs the
 * demo source): one row per setting, written by `dataport faults|clock` and read by running servers, so a
 * change takes effect without a restart and is shared by every process on the database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('emulator_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('emulator_settings').execute();
}
