import type { Db } from '../database.js';

/** The names `emulator_settings` holds; each value is text (JSON or a number) owned by src/emulator. */
export type EmulatorSettingName = 'clock_offset_ms' | 'demo_faults' | 'demo_source';

export async function readSetting(db: Db, name: EmulatorSettingName): Promise<string | undefined> {
  const row = await db.selectFrom('emulator_settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Db, name: EmulatorSettingName, value: string, now: number): Promise<void> {
  await db
    .insertInto('emulator_settings')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}

export async function deleteSetting(db: Db, name: EmulatorSettingName): Promise<void> {
  await db.deleteFrom('emulator_settings').where('name', '=', name).execute();
}
