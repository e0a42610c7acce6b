import { createHash, randomBytes } from 'node:crypto';

/**
 * Sign-in through the operator's existing OpenID Connect provider (authorization code flow with PKCE, state and
 * nonce). The ID token comes straight from the provider's token endpoint, so per OpenID Connect Core 3.1.3.7 (6)
 * the TLS connection authenticates it; we still check iss, aud, exp and nonce. The account id is the configured
 * claim (default `sub`), from the ID token or, if it is not there, from the userinfo endpoint.
 */
export interface UpstreamOidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claim whose value becomes the Dataport user id. */
  claim: string;
  /** Shown on the sign-in button. */
  displayName: string;
}

export interface UpstreamStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class UpstreamSignInError extends Error {
  override readonly name = 'UpstreamSignInError';
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
}

const random = () => randomBytes(32).toString('base64url');
/** The provider's clock and ours may differ a little. */
const CLOCK_SKEW_SECONDS = 60;

export function createUpstreamSignIn(config: UpstreamOidcConfig) {
  let discovery: Promise<Discovery> | undefined;

  function discover(): Promise<Discovery> {
    discovery ??= (async () => {
      const res = await fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
      if (!res.ok) throw new UpstreamSignInError(`discovery at ${config.issuer} answered ${res.status}`);
      const doc = (await res.json()) as Discovery;
      if (doc.issuer !== config.issuer) throw new UpstreamSignInError(`discovery issuer ${doc.issuer} is not ${config.issuer}`);
      return doc;
    })().catch((error) => {
      discovery = undefined; // try again on the next sign-in instead of failing forever
      throw error;
    });
    return discovery;
  }

  async function start(redirectUri: string): Promise<UpstreamStart> {
    const doc = await discover();
    const state = random();
    const nonce = random();
    const codeVerifier = random();
    const url = new URL(doc.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: redirectUri,
      scope: config.claim === 'sub' ? 'openid' : 'openid profile email',
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), state, nonce, codeVerifier };
  }

  /** Exchanges the code and returns the account id the configured claim names. */
  async function complete(options: { code: string; redirectUri: string; nonce: string; codeVerifier: string }): Promise<string> {
    const doc = await discover();
    const res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: options.code, redirect_uri: options.redirectUri, code_verifier: options.codeVerifier }),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; error?: string };
    if (!res.ok || !body.id_token) throw new UpstreamSignInError(`token exchange failed: ${res.status} ${body.error ?? ''}`.trim());
    const claims = decodeJwtPayload(body.id_token);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== doc.issuer) throw new UpstreamSignInError('ID token from another issuer');
    if (!audience.includes(config.clientId)) throw new UpstreamSignInError('ID token for another client');
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) throw new UpstreamSignInError('ID token expired');
    if (claims.nonce !== options.nonce) throw new UpstreamSignInError('ID token nonce mismatch');
    let value = claims[config.claim];
    if (value === undefined && doc.userinfo_endpoint && body.access_token) {
      const info = await fetch(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${body.access_token}` } });
      if (info.ok) {
        const userinfo = (await info.json()) as Record<string, unknown>;
        if (userinfo.sub === claims.sub) value = userinfo[config.claim];
      }
    }
    if (typeof value !== 'string' || value === '') throw new UpstreamSignInError(`the upstream provider sent no "${config.claim}" claim`);
    return value;
  }

  return { start, complete, displayName: config.displayName };
}

function decodeJwtPayload(jwt: string): Record<string, any> {
  const part = jwt.split('.')[1];
  if (!part) throw new UpstreamSignInError('malformed ID token');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, any>;
  } catch {
    throw new UpstreamSignInError('malformed ID token');
  }
}

export type UpstreamSignIn = ReturnType<typeof createUpstreamSignIn>;
