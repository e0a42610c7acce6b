import { sql } from 'kysely';
import type { Db } from '../database.js';

/** The demo source's fault ledger, kept in the database so counts survive restarts and span workers. */
export function createSqlFaultLedger(db: Db, now: () => number) {
  return {
    async claimFailure(key: string, jobId: string, limit: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const mine = await trx.selectFrom('demo_fault_claims').select('job_id').where('fault_key', '=', key).where('job_id', '=', jobId).executeTakeFirst();
        if (mine) return true;
        const { n } = await trx
          .selectFrom('demo_fault_claims')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('fault_key', '=', key)
          .executeTakeFirstOrThrow();
        if (Number(n) >= limit) return false;
        await trx.insertInto('demo_fault_claims').values({ fault_key: key, job_id: jobId, claimed_at: now() }).execute();
        return true;
      });
    },
    async takeTransient(key: string, limit: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('demo_fault_counters')
          .values({ fault_key: key, used: 0 })
          .onConflict((oc) => oc.column('fault_key').doNothing())
          .execute();
        const r = await trx
          .updateTable('demo_fault_counters')
          .set({ used: sql`used + 1` })
          .where('fault_key', '=', key)
          .where('used', '<', limit)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      });
    },
  };
}

/** Forgets what the fault rules `keys` have counted, so a rule set again at run time starts afresh. */
export async function resetFaultCounters(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('demo_fault_claims').where('fault_key', 'in', keys).execute();
    await trx.deleteFrom('demo_fault_counters').where('fault_key', 'in', keys).execute();
  });
}
