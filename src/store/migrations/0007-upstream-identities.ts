import type { Kysely } from 'kysely';

/**
 * Which upstream OpenID Connect identity (issuer + subject) signs in as which account. An upstream sign-in
 * finds its account here and nowhere else, so it never becomes a local password account of the same name, and
 * an account is linked to one identity at most (a reassigned email address cannot take over an account).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upstream_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().unique().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('upstream_identities_pk', ['issuer', 'subject'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('upstream_identities').execute();
}
