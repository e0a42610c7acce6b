import type { Db } from '../database.js';
import type { OperatorSessionsTable, OperatorsTable } from '../schema.js';

export type OperatorRow = OperatorsTable;
export type OperatorSessionRow = OperatorSessionsTable;

export async function upsertOperator(db: Db, row: OperatorRow): Promise<void> {
  await db
    .insertInto('operators')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ password_hash: row.password_hash }))
    .execute();
}

export async function findOperator(db: Db, id: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listOperators(db: Db): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().orderBy('id').execute();
}

/** Deletes the operator and every session of theirs, in one transaction. */
export async function deleteOperator(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('operator_sessions').where('operator_id', '=', id).where('method', '=', 'password').execute();
    const r = await trx.deleteFrom('operators').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

export async function insertOperatorSession(db: Db, row: OperatorSessionRow): Promise<void> {
  await db.insertInto('operator_sessions').values(row).execute();
}

/**
 * The live session with this id hash, if it belongs to `operatorId`. A password session also needs its
 * operator's row: removing the operator ends it even if the row delete above raced a sign-in.
 */
export async function findLiveOperatorSession(db: Db, idHash: string, operatorId: string, now: number): Promise<OperatorSessionRow | undefined> {
  const row = await db
    .selectFrom('operator_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('operator_id', '=', operatorId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.method === 'password' && !(await findOperator(db, operatorId))) return undefined;
  return { ...row, created_at: Number(row.created_at), expires_at: Number(row.expires_at) };
}

export async function deleteOperatorSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('operator_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteExpiredOperatorSessions(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('operator_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
