import type { Db } from '../database.js';
import type { AccessTokensTable, GrantsTable } from '../schema.js';
import { preparedQuery, type Slots } from './prepared-query.js';

export async function insertAccessToken(db: Db, row: AccessTokensTable): Promise<void> {
  await db.insertInto('access_tokens').values(row).execute();
}

// Every API request authenticates with this read: a prepared query, not a built one (see prepared-query.ts).
const selectTokenWithGrant = preparedQuery((db, p: Slots<{ tokenHash: string }>) =>
  db
    .selectFrom('access_tokens as t')
    .innerJoin('grants as g', 'g.id', 't.grant_id')
    .select([
      't.token_hash',
      't.grant_id',
      't.created_at as t_created_at',
      't.expires_at as t_expires_at',
      't.revoked_at as t_revoked_at',
      'g.id',
      'g.user_id',
      'g.client_id',
      'g.resources',
      'g.access',
      'g.created_at',
      'g.expires_at',
      'g.revoked_at',
    ])
    .where('t.token_hash', '=', p.tokenHash),
);

/** The token row joined with its grant, whatever their state; callers decide what is still valid. */
export async function findTokenWithGrant(db: Db, tokenHash: string): Promise<{ token: AccessTokensTable; grant: GrantsTable } | undefined> {
  const [row] = await selectTokenWithGrant(db, { tokenHash });
  if (!row) return undefined;
  return {
    token: {
      token_hash: row.token_hash,
      grant_id: row.grant_id,
      created_at: row.t_created_at,
      expires_at: row.t_expires_at,
      revoked_at: row.t_revoked_at,
    },
    grant: {
      id: row.id,
      user_id: row.user_id,
      client_id: row.client_id,
      resources: row.resources,
      access: row.access,
      created_at: row.created_at,
      expires_at: row.expires_at,
      revoked_at: row.revoked_at,
    },
  };
}

export async function revokeTokensOfGrants(db: Db, grantIds: readonly string[], now: number): Promise<void> {
  if (grantIds.length === 0) return;
  await db.updateTable('access_tokens').set({ revoked_at: now }).where('grant_id', 'in', grantIds).where('revoked_at', 'is', null).execute();
}
