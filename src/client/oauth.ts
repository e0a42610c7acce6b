import { createHash, randomBytes } from 'node:crypto';
import { PortabilityTransportError } from './errors.js';

/** Google's authorization server, used for `https://dataportability.googleapis.com/`, which publishes no metadata. */
const GOOGLE_AUTHORIZATION_ENDPOINT = 'https://accounts.google.com/o/oauth2/v2/auth';
const GOOGLE_TOKEN_ENDPOINT = 'https://oauth2.googleapis.com/token';

export interface AuthorizationServer {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Where the endpoints came from, for the user's benefit. */
  discoveredFrom: string;
}

class OAuthError extends Error {
  override readonly name = 'OAuthError';
}

/**
 * Finds the OAuth endpoints of an API server: RFC 8414 metadata at `/.well-known/oauth-authorization-server`
 * (then OpenID Connect discovery), else Google's endpoints when the server is Google's.
 */
export async function discoverAuthorizationServer(rootUrl: string, doFetch: typeof fetch = fetch): Promise<AuthorizationServer> {
  const root = rootUrl.replace(/\/+$/, '');
  const tried: string[] = [];
  for (const wellKnown of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const url = `${root}${wellKnown}`;
    tried.push(url);
    let response: Response;
    try {
      response = await doFetch(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new PortabilityTransportError(`cannot reach ${root}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) continue;
    const metadata = (await response.json().catch(() => ({}))) as { authorization_endpoint?: string; token_endpoint?: string };
    if (metadata.authorization_endpoint && metadata.token_endpoint) {
      return { authorizationEndpoint: metadata.authorization_endpoint, tokenEndpoint: metadata.token_endpoint, discoveredFrom: url };
    }
  }
  if (new URL(root).hostname.endsWith('.googleapis.com')) {
    return { authorizationEndpoint: GOOGLE_AUTHORIZATION_ENDPOINT, tokenEndpoint: GOOGLE_TOKEN_ENDPOINT, discoveredFrom: 'Google (built in)' };
  }
  throw new OAuthError(`${root} publishes no OAuth metadata (tried ${tried.join(', ')}); pass --token <access token> instead`);
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizationRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  codeChallenge: string;
  /** `offline` asks for a refresh token (Google's parameter). */
  accessType?: 'online' | 'offline';
}

export function buildAuthorizationUrl(request: AuthorizationRequest): string {
  const url = new URL(request.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scopes.join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (request.accessType) url.searchParams.set('access_type', request.accessType);
  return url.toString();
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
}

/** Trades an authorization code for tokens (client_secret_post when there is a secret, else a public client). */
export async function exchangeAuthorizationCode(
  request: { tokenEndpoint: string; clientId: string; clientSecret?: string | undefined; code: string; redirectUri: string; codeVerifier: string },
  doFetch: typeof fetch = fetch,
): Promise<TokenResponse> {
  return postTokenRequest(
    request.tokenEndpoint,
    {
      grant_type: 'authorization_code',
      code: request.code,
      redirect_uri: request.redirectUri,
      client_id: request.clientId,
      code_verifier: request.codeVerifier,
      ...(request.clientSecret ? { client_secret: request.clientSecret } : {}),
    },
    'the authorization code',
    doFetch,
  );
}

/** A new access token from a refresh token (exports can outlive an access token: Google's live an hour). */
export async function refreshAccessToken(
  request: { tokenEndpoint: string; clientId: string; clientSecret?: string | undefined; refreshToken: string },
  doFetch: typeof fetch = fetch,
): Promise<TokenResponse> {
  return postTokenRequest(
    request.tokenEndpoint,
    {
      grant_type: 'refresh_token',
      refresh_token: request.refreshToken,
      client_id: request.clientId,
      ...(request.clientSecret ? { client_secret: request.clientSecret } : {}),
    },
    'the refresh token',
    doFetch,
  );
}

async function postTokenRequest(tokenEndpoint: string, form: Record<string, string>, what: string, doFetch: typeof fetch): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await doFetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form),
    });
  } catch (error) {
    throw new PortabilityTransportError(`cannot reach the token endpoint ${tokenEndpoint}: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: Partial<TokenResponse> & { error?: string; error_description?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported below with the status.
  }
  if (!response.ok || !body.access_token) {
    const why = body.error ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}` : `HTTP ${response.status} ${text.slice(0, 200)}`;
    throw new OAuthError(`the token endpoint refused ${what} (${why})`);
  }
  return body as TokenResponse;
}

/**
 * The OAuth scope of a resource group. A server's discovery document lists its scopes; a group's scope is
 * the one ending in `.<group>` (Google's convention: `https://www.googleapis.com/auth/dataportability.<group>`).
 */
export function scopeForGroup(group: string, knownScopes: readonly string[]): string {
  return knownScopes.find((s) => s.endsWith(`.${group}`) || s.endsWith(`/${group}`)) ?? `https://www.googleapis.com/auth/dataportability.${group}`;
}
