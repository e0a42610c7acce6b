import type { Caller } from '../jobs/index.js';
import type { AccessMode, AuditOrigin, GrantRow, grants } from '../store/index.js';

export interface NewGrant {
  userId: string;
  clientId: string;
  resources: readonly string[];
  access: AccessMode;
}

/** Who an access token stands for, and until when by the clock alone (revocation can end it sooner). */
export interface Authenticated {
  caller: Caller;
  /** The token's or its grant's expiry, whichever comes first (ms since the epoch). */
  holdsUntil: number;
}

/** Where an action on a consent came from, and who took it. */
export type RevocationOrigin = AuditOrigin & { actor?: 'user' | 'client' | 'operator' };

/** Grants (a user's consent) and the access tokens issued under them. */
export interface TokenService {
  /**
   * Records a grant. The OAuth server passes its own grant id, so the provider's codes and tokens and the
   * Dataport grant share one id; `offline` says whether a refresh token may be issued.
   */
  recordGrant(grant: NewGrant & { id?: string; offline?: boolean; origin?: AuditOrigin }): Promise<GrantRow>;
  /** Records a grant and issues an access token for it directly (the operator's `dataport token`). */
  grantAndIssueToken(grant: NewGrant & { origin?: AuditOrigin }): Promise<{ accessToken: string; grantId: string; expiresAt: number }>;
  issueToken(
    grantId: string, grantExpiresAt: number | null, owner?: { userId: string; clientId: string; origin?: AuditOrigin | undefined },
  ): Promise<{ accessToken: string; expiresAt: number }>;
  /**
   * The caller a bearer token stands for, read from the database on every call; AuthError when it is
   * missing, unknown, expired or revoked (a missing one rejects without a read).
   */
  authenticate(token: string | undefined): Promise<Authenticated>;
  /**
   * Ends every grant of the user for the client, every operator token issued under them, and the OAuth
   * server's codes, access tokens and refresh tokens for them (authorization.reset, the account page).
   */
  revokeAuthorization(userId: string, clientId: string, reason?: grants.RevocationReason, origin?: RevocationOrigin): Promise<void>;
}
