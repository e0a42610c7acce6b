import type { Adapter, AdapterPayload } from 'oidc-provider';
import { grants, oauthClients, oidcPayloads, type Db } from '../store/index.js';
import { hashToken } from './tokens.js';
import { providerClientMetadata } from './clients.js';

/**
 * oidc-provider's storage contract over our store. Every model lives in one table keyed by (model, sha256(id)),
 * and the payload is stored without its copies of the id (`jti`, and an interaction's `session.cookie`), so
 * the database never holds a usable code, token or session cookie: `find` puts `jti` back from the id the
 * provider asked for. `grantId`, `uid` and `userCode` are kept in indexed columns: oidc-provider revokes by
 * grantId and resumes by uid, and silently does nothing if those look-ups find nothing.
 *
 * A row found by `uid` or `userCode` comes back without `jti`, which is not known then. oidc-provider reads
 * such a Session only to compare its account (provider.interactionDetails, and session-bound tokens, which
 * Dataport does not issue) and never saves it, so nothing is written under a made-up id.
 *
 * Clients are not stored here: the `Client` model reads the `oauth_clients` table the CLI writes.
 */
export function createOidcAdapterFactory(deps: { db: Db; now: () => number }): (model: string) => Adapter {
  const { db, now } = deps;
  return (model: string): Adapter => {
    if (model === 'Client') return clientAdapter(db);
    const parse = (row: { payload: string; consumed_at: number | null } | undefined): AdapterPayload | undefined => {
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
    };
    return {
      async upsert(id, payload, expiresIn) {
        await oidcPayloads.upsertPayload(db, {
          model,
          id: hashToken(id),
          payload: JSON.stringify(withoutIdCopies(payload)),
          // A Grant row carries its own id, so revoking a grant deletes it together with its codes and tokens.
          grant_id: model === 'Grant' ? id : (payload.grantId ?? null),
          uid: payload.uid ?? null,
          user_code: payload.userCode ?? null,
          expires_at: expiresIn ? now() + expiresIn * 1000 : null,
          consumed_at: null,
        });
      },
      async find(id) {
        const payload = parse(await oidcPayloads.findPayload(db, model, 'id', hashToken(id), now()));
        return payload && { ...payload, jti: id };
      },
      async findByUid(uid) {
        return parse(await oidcPayloads.findPayload(db, model, 'uid', uid, now()));
      },
      async findByUserCode(userCode) {
        return parse(await oidcPayloads.findPayload(db, model, 'user_code', userCode, now()));
      },
      async consume(id) {
        await oidcPayloads.consumePayload(db, model, hashToken(id), now());
      },
      async destroy(id) {
        await oidcPayloads.destroyPayload(db, model, hashToken(id));
      },
      async revokeByGrantId(grantId) {
        // oidc-provider revokes a whole grant when a refresh token is revoked (RFC 7009) or a code is reused:
        // end the Dataport grant as well, so the account page and the API agree with the provider.
        await oidcPayloads.destroyByGrantIds(db, [grantId]);
        await grants.revokeGrant(db, grantId, now(), 'token_revoked');
      },
    };
  };
}

/** The payload without the values that would let a reader of the database act as its holder. */
function withoutIdCopies(payload: AdapterPayload): AdapterPayload {
  const { jti: _jti, ...stored } = payload;
  // An interaction keeps its session's id (the session cookie's value) for the application's use; Dataport
  // has no use for it.
  const session = stored.session as Record<string, unknown> | undefined;
  if (session && typeof session === 'object' && 'cookie' in session) {
    const { cookie: _cookie, ...rest } = session;
    stored.session = rest;
  }
  return stored;
}

function clientAdapter(db: Db): Adapter {
  const readOnly = async () => {
    throw new Error('clients are managed with `dataport clients`, not through the provider');
  };
  return {
    async find(id) {
      const row = await oauthClients.findClient(db, id);
      return row ? providerClientMetadata(row) : undefined;
    },
    upsert: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => undefined,
  };
}
