import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Secrets at rest become hashes. Client secrets move from `secret` (as issued) to `secret_sha256`, and the
 * payloads oidc-provider stored lose `jti` (the access token, refresh token, code or session cookie itself)
 * and the interaction's copy of the session cookie; the adapter restores `jti` from the id it is asked for.
 * Rows are rewritten one by one in JavaScript, the same on SQLite and PostgreSQL: both tables are small
 * (clients by the dozen; payloads live at most as long as their grant).
 */
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// The tables as this migration sees them; kysely's typed builder on an untyped database.
interface Before {
  oauth_clients: { id: string; secret: string | null; secret_sha256: string | null };
  oidc_payloads: { model: string; id: string; payload: string };
}

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Before>;
  await db.schema.alterTable('oauth_clients').addColumn('secret_sha256', 'text').execute();
  for (const client of await db.selectFrom('oauth_clients').select(['id', 'secret']).where('secret', 'is not', null).execute()) {
    await db
      .updateTable('oauth_clients')
      .set({ secret_sha256: sha256(client.secret!) })
      .where('id', '=', client.id)
      .execute();
  }
  await db.schema.alterTable('oauth_clients').dropColumn('secret').execute();

  for (const row of await db.selectFrom('oidc_payloads').select(['model', 'id', 'payload']).execute()) {
    const payload = JSON.parse(row.payload) as Record<string, unknown> & { session?: Record<string, unknown> };
    if (!('jti' in payload) && !payload.session?.cookie) continue;
    delete payload.jti;
    if (payload.session) delete payload.session.cookie;
    await db
      .updateTable('oidc_payloads')
      .set({ payload: JSON.stringify(payload) })
      .where('model', '=', row.model)
      .where('id', '=', row.id)
      .execute();
  }
}

export async function down(): Promise<void> {
  // A hash cannot be turned back into the secret it was made from.
  throw new Error('0006-hashed-oauth-secrets cannot be undone: client secrets are stored only as hashes');
}
