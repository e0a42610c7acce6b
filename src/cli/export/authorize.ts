import { randomBytes } from 'node:crypto';
import {
  buildAuthorizationUrl,
  createPkcePair,
  discoverAuthorizationServer,
  exchangeAuthorizationCode,
  refreshAccessToken,
  scopeForGroup,
  type TokenResponse,
} from '../../client/index.js';
import { startLoopbackReceiver } from './loopback.js';
import { openInBrowser } from './open-browser.js';

export interface AuthorizeOptions {
  server: string;
  clientId: string;
  clientSecret?: string | undefined;
  resources: readonly string[];
  /** Loopback port for the redirect; 0 for any free one. */
  redirectPort: number;
  openBrowser: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Refresh a minute early, so a request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The OAuth 2.0 authorization-code flow of a native app (RFC 8252) with PKCE S256: print the authorization
 * URL (and open it when there is a browser), receive the code on a loopback redirect, trade it for tokens.
 * Returns a function giving a current access token — with a refresh token (asked for with
 * `access_type=offline`) it renews the access token before it expires, since an export can outlast one —
 * and the resource groups the user granted (the token response's `scope`; all of them when it has none).
 */
export async function authorizeInteractively(options: AuthorizeOptions): Promise<{ accessToken: () => Promise<string>; grantedResources: string[] }> {
  const endpoints = await discoverAuthorizationServer(options.server);
  // With no scopes in the discovery document, scopeForGroup falls back to Google's naming.
  const knownScopes = await discoveryScopes(options.server);
  const requested = options.resources.map((group) => scopeForGroup(group, knownScopes));
  const receiver = await startLoopbackReceiver(options.redirectPort);
  try {
    const pkce = createPkcePair();
    const state = randomBytes(16).toString('base64url');
    const url = buildAuthorizationUrl({
      authorizationEndpoint: endpoints.authorizationEndpoint,
      clientId: options.clientId,
      redirectUri: receiver.redirectUri,
      scopes: requested,
      state,
      codeChallenge: pkce.challenge,
      accessType: 'offline',
    });
    options.log(`Authorize access to ${options.resources.join(', ')} in a browser:\n\n  ${url}\n`);
    if (options.openBrowser && (await openInBrowser(url))) options.log('(opened in your browser)');
    options.log(`waiting for the authorization on ${receiver.redirectUri} ...`);
    const code = await receiver.waitForCode(state, options.signal);
    const token = await exchangeAuthorizationCode({
      tokenEndpoint: endpoints.tokenEndpoint,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      code,
      redirectUri: receiver.redirectUri,
      codeVerifier: pkce.verifier,
    });
    const grantedScopes = new Set(token.scope ? token.scope.split(' ') : requested);
    const grantedResources = options.resources.filter((_group, i) => grantedScopes.has(requested[i]!));
    options.log(`authorized (${grantedResources.length} of ${requested.length} resource group(s) granted)`);
    let current: TokenResponse = token;
    let expiresAt = Date.now() + (token.expires_in ?? Infinity) * 1000;
    // One renewal at a time: a server that rotates refresh tokens (Dataport does for public clients) takes a
    // second use of the same one for theft and revokes the whole grant.
    let renewing: Promise<void> | undefined;
    const renew = async (refreshToken: string) => {
      const renewed = await refreshAccessToken({
        tokenEndpoint: endpoints.tokenEndpoint,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        refreshToken,
      });
      // A server may rotate the refresh token; keep the old one if it does not send a new one.
      current = { ...renewed, refresh_token: renewed.refresh_token ?? refreshToken };
      expiresAt = Date.now() + (renewed.expires_in ?? Infinity) * 1000;
    };
    const accessToken = async () => {
      if (current.refresh_token && Date.now() > expiresAt - REFRESH_MARGIN_MS) {
        renewing ??= renew(current.refresh_token).finally(() => {
          renewing = undefined;
        });
        await renewing;
      }
      return current.access_token;
    };
    return { accessToken, grantedResources };
  } finally {
    await receiver.close();
  }
}

/** The server's OAuth scopes from its discovery document; empty when it has none to offer. */
async function discoveryScopes(server: string): Promise<string[]> {
  try {
    const response = await fetch(`${server.replace(/\/+$/, '')}/$discovery/rest?version=v1`);
    if (!response.ok) return [];
    const doc = (await response.json()) as { auth?: { oauth2?: { scopes?: Record<string, unknown> } } };
    return Object.keys(doc.auth?.oauth2?.scopes ?? {});
  } catch {
    return [];
  }
}
