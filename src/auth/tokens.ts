import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/index.js';
import type { Caller } from '../jobs/index.js';
import { accessTokens, auditSql, grants, oidcPayloads, type AccessMode, type AuditOrigin, type Db, type GrantRow } from '../store/index.js';
import type { Authenticated, NewGrant, TokenService } from './types.js';

const DAY_MS = 86_400_000;

/** How long each access mode's grant lasts: one-time grants end with their use, not with time. */
export const GRANT_LIFETIME_MS: Record<AccessMode, number | null> = { once: null, '30d': 30 * DAY_MS, '180d': 180 * DAY_MS };

export const ACCESS_MODES = Object.freeze(['once', '30d', '180d'] as const);

/** Tokens carry 256 random bits; the prefix makes a leaked one easy to recognise in logs and scanners. */
const TOKEN_PREFIX = 'dpa_';

export function hashToken(token: string): string {
  // One-shot: runs on every request (the poll cache's key), and ~1.5 µs cheaper than a Hash object here.
  return hash('sha256', token, 'hex');
}

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: 'MISSING_CREDENTIALS' | 'EXPIRED_CREDENTIALS' | 'INVALID_CREDENTIALS',
    message: string,
  ) {
    super(message);
  }
}

/** A token's row and its grant's, as far as validity goes, with the caller they stand for. */
interface TokenGrant {
  token: { revoked_at: number | null; expires_at: number };
  grant: { revoked_at: number | null; expires_at: number | null };
  caller: Caller;
}

export function createTokenService(deps: { db: Db; catalog: Catalog; now: () => number; tokenLifetimeMs: number }): TokenService {
  const { db, now } = deps;

  /**
   * Records a grant (a user's consent). The OAuth server passes its own grant id, so the provider's codes and
   * tokens and the Dataport grant share one id; `offline` says whether a refresh token may be issued.
   */
  async function recordGrant(grant: NewGrant & { id?: string; offline?: boolean; origin?: AuditOrigin }): Promise<GrantRow> {
    const unknown = grant.resources.filter((r) => !deps.catalog.get(r));
    if (unknown.length > 0) throw new Error(`unknown resource group: ${unknown.join(', ')}`);
    if (grant.resources.length === 0) throw new Error('a grant needs at least one resource group');
    const at = now();
    const lifetime = GRANT_LIFETIME_MS[grant.access];
    const row: GrantRow = {
      id: grant.id ?? randomUUID(),
      user_id: grant.userId,
      client_id: grant.clientId,
      resources: JSON.stringify([...new Set(grant.resources)].sort()),
      access: grant.access,
      created_at: at,
      expires_at: lifetime === null ? null : at + lifetime,
      revoked_at: null,
      offline_access: grant.offline ? 1 : 0,
    };
    await db.transaction().execute(async (trx) => {
      await grants.insertGrant(trx, row);
      await auditSql.appendAudit(trx, {
        at,
        action: 'grant',
        actor: grant.origin?.operator ? 'operator' : 'user',
        userId: row.user_id,
        clientId: row.client_id,
        operator: grant.origin?.operator,
        ip: grant.origin?.ip,
        detail: { grantId: row.id, access: row.access, resources: JSON.parse(row.resources) },
      });
    });
    return row;
  }

  /** Records a grant and issues an access token for it directly (the operator's `dataport token`). */
  async function grantAndIssueToken(grant: NewGrant & { origin?: AuditOrigin }): Promise<{ accessToken: string; grantId: string; expiresAt: number }> {
    const row = await recordGrant(grant);
    const issued = await issueToken(row.id, row.expires_at, { userId: row.user_id, clientId: row.client_id, origin: grant.origin });
    return { ...issued, grantId: row.id };
  }

  async function issueToken(grantId: string, grantExpiresAt: number | null, owner?: { userId: string; clientId: string; origin?: AuditOrigin | undefined }) {
    const at = now();
    const accessToken = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = Math.min(at + deps.tokenLifetimeMs, grantExpiresAt ?? Infinity);
    await db.transaction().execute(async (trx) => {
      await accessTokens.insertAccessToken(trx, {
        token_hash: hashToken(accessToken),
        grant_id: grantId,
        created_at: at,
        expires_at: expiresAt,
        revoked_at: null,
      });
      await auditSql.appendAudit(trx, {
        at,
        action: 'token.issue',
        actor: owner?.origin?.operator ? 'operator' : 'client',
        userId: owner?.userId,
        clientId: owner?.clientId,
        operator: owner?.origin?.operator,
        ip: owner?.origin?.ip,
        detail: { grantId, expiresAt },
      });
    });
    return { accessToken, expiresAt };
  }

  async function authenticate(token: string | undefined): Promise<Authenticated> {
    if (!token) {
      throw new AuthError('MISSING_CREDENTIALS', 'Request is missing required authentication credential. Expected OAuth 2 access token.');
    }
    const found = await readTokenGrant(token, hashToken(token));
    if (!found || found.token.revoked_at !== null || found.grant.revoked_at !== null) {
      throw new AuthError('INVALID_CREDENTIALS', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const holdsUntil = Math.min(found.token.expires_at, found.grant.expires_at ?? Infinity);
    // Told apart from an unknown token so a client knows to refresh (Google's ACCESS_TOKEN_EXPIRED).
    if (holdsUntil <= now()) throw new AuthError('EXPIRED_CREDENTIALS', 'The access token has expired.');
    return { caller: found.caller, holdsUntil };
  }

  async function readTokenGrant(token: string, tokenHash: string): Promise<TokenGrant | undefined> {
    // Two issuers, one check: operator tokens live in access_tokens, OAuth-issued ones in the provider's
    // storage; both are stored as sha256 hashes and both lead to the same grants row. Every operator token
    // carries TOKEN_PREFIX, so a token without it (an OAuth client's, the common case) skips the first query;
    // one with it still falls through, as a provider's random token may begin with those characters too.
    const found: { token: { revoked_at: number | null; expires_at: number }; grant: GrantRow; scope?: string } | undefined =
      (token.startsWith(TOKEN_PREFIX) ? await accessTokens.findTokenWithGrant(db, tokenHash) : undefined) ?? (await oauthTokenWithGrant(tokenHash));
    if (!found) return undefined;
    const g = found.grant;
    const granted = JSON.parse(g.resources) as string[];
    // An OAuth token may carry less than its grant (a refresh that asked for a narrower scope, RFC 6749 §6):
    // the token's own scope is what it may use. An operator token stands for its whole grant.
    const resources = found.scope === undefined ? granted : groupsInScope(granted, found.scope);
    // Frozen: the API's poll cache hands one caller object to many requests.
    const caller: Caller = Object.freeze({
      userId: g.user_id,
      clientId: g.client_id,
      grantId: g.id,
      resources: Object.freeze(resources),
      accessType: g.access === 'once' ? 'ACCESS_TYPE_ONE_TIME' : 'ACCESS_TYPE_TIME_BASED',
    });
    return {
      token: { revoked_at: found.token.revoked_at, expires_at: found.token.expires_at },
      grant: { revoked_at: g.revoked_at, expires_at: g.expires_at },
      caller,
    };
  }

  async function oauthTokenWithGrant(tokenHash: string) {
    // An expired token's row is read too (until the provider's clean-up removes it), so the caller can be
    // told that it expired rather than that it is unknown; authenticate checks expiry against our clock.
    const found = await oidcPayloads.findAccessTokenGrant(db, tokenHash);
    if (!found) return undefined;
    return { token: { revoked_at: null, expires_at: found.expiresAt ?? Infinity }, grant: found.grant, scope: found.scope };
  }

  /** The granted groups whose scope is among the token's. */
  function groupsInScope(granted: readonly string[], scope: string): string[] {
    const scopes = new Set(scope.split(' '));
    return granted.filter((name) => {
      const group = deps.catalog.get(name);
      return group !== undefined && scopes.has(group.scope);
    });
  }

  /**
   * Ends every grant of the user for the client, every operator token issued under them, and the OAuth
   * server's codes, access tokens and refresh tokens for them (authorization.reset, the account page).
   */
  async function revokeAuthorization(
    userId: string,
    clientId: string,
    reason: grants.RevocationReason = 'revoked',
    origin?: AuditOrigin & { actor?: 'user' | 'client' | 'operator' },
  ): Promise<void> {
    const at = now();
    await db.transaction().execute(async (trx) => {
      const revoked = await grants.revokeGrantsOf(trx, userId, clientId, at, reason);
      await accessTokens.revokeTokensOfGrants(trx, revoked, at);
      await oidcPayloads.destroyByGrantIds(trx, revoked);
      if (revoked.length > 0) {
        await auditSql.appendAudit(trx, {
          at,
          action: 'revoke',
          actor: origin?.actor ?? (origin?.operator ? 'operator' : 'user'),
          userId,
          clientId,
          operator: origin?.operator,
          ip: origin?.ip,
          detail: { grantIds: revoked, reason },
        });
      }
    });
  }

  return { recordGrant, grantAndIssueToken, issueToken, authenticate, revokeAuthorization };
}
