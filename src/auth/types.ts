import type { IncomingMessage, ServerResponse } from 'node:http';
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
    grantId: string,
    grantExpiresAt: number | null,
    owner?: { userId: string; clientId: string; origin?: AuditOrigin | undefined },
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

/**
 * An OAuth interaction (the sign-in or consent step) as our pages use it: the provider's, with the
 * authorization request's parameters we read checked to be strings.
 */
export interface OauthInteraction {
  uid: string;
  /** `login` or `consent`. */
  prompt: { name: string };
  params: { client_id: string; scope?: string; access_type?: string; hl?: string };
  /** Who signed in, once someone has. */
  session?: { accountId: string };
}

/** The browser signing out at `/oauth/logout`: its cookies, and a way to set one on the answer. */
export interface SigningOutBrowser {
  cookieHeader: string | undefined;
  setCookie(value: string): void;
}
export type BrowserSignOutListener = (browser: SigningOutBrowser) => Promise<void>;

export interface ConsentChoice {
  /** The groups the user ticked: a non-empty subset of the requested ones. */
  resources: readonly string[];
  access: AccessMode;
}

/**
 * The OAuth 2.0 authorization server (oidc-provider). `issuer` is the server's public URL: the provider is
 * built on first use, as that URL is known only once the server listens, and cannot change afterwards.
 */
export interface OauthServer {
  /** The Node handler for every provider endpoint (mounted at the root; its routes start with /oauth). */
  handler(issuer: string): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  interactionDetails(issuer: string, req: IncomingMessage, res: ServerResponse): Promise<OauthInteraction>;
  /** The groups an interaction asks for, in catalog order. */
  requestedGroups(details: OauthInteraction): string[];
  /** Finishes the sign-in step; returns where to send the browser. */
  finishSignIn(issuer: string, req: IncomingMessage, res: ServerResponse, accountId: string): Promise<string>;
  /** Records the user's consent as a provider grant and a Dataport grant with the same id; returns where to send the browser. */
  finishConsent(
    issuer: string,
    req: IncomingMessage,
    res: ServerResponse,
    details: OauthInteraction,
    choice: ConsentChoice,
    origin?: AuditOrigin,
  ): Promise<string>;
  /**
   * Ends the provider's login session this browser holds (its 14-day `_session`), so the next authorization
   * asks for a sign-in again; the cookie that named it then names nothing. Called by the account page's sign-out.
   */
  endBrowserSession(issuer: string, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Called on every confirmed sign-out at `/oauth/logout`, before its answer is sent. */
  onBrowserSignOut(listener: BrowserSignOutListener): void;
  /** The user denied the request; returns where to send the browser. */
  deny(issuer: string, req: IncomingMessage, res: ServerResponse): Promise<string>;
}
