import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * Sign-in through the operator's existing OpenID Connect provider (authorization code flow with PKCE, state and
 * nonce). The ID token comes straight from the provider's token endpoint, which OpenID Connect Core 3.1.3.7 (6)
 * lets a client trust on the strength of TLS alone; we verify it in full anyway (it is cheap, and it holds where
 * TLS is terminated early or the issuer is plain http on a private network), with `jose`: the signature against
 * the provider's JWKS, then iss, aud, exp, nbf, iat, azp (when aud names several clients) and nonce. The
 * identity is the issuer and `sub`; the account id is the configured claim (default `sub`), from the ID token
 * or, if it is not there, from the userinfo endpoint. Under `email` only an address the provider marks
 * `email_verified: true` counts. Which account an identity signs in as is decided by the account service.
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

/** Who signed in upstream, and the account id their configured claim names. */
export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  accountId: string;
  /** The ID token's claims, with the userinfo endpoint's where they were fetched (the console's operator claim reads them). */
  claims: Record<string, unknown>;
}

export class UpstreamSignInError extends Error {
  override readonly name = 'UpstreamSignInError';
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
  jwks_uri: string;
}

const random = () => randomBytes(32).toString('base64url');
/** The provider's clock and ours may differ a little. */
const CLOCK_SKEW_SECONDS = 60;
/**
 * An ID token is made by the token endpoint for this very exchange, so its `iat` is seconds old; one older than
 * this was made for something else (a replay).
 */
const ID_TOKEN_MAX_AGE_SECONDS = 600;
/** A provider that does not answer within this is down; the user sees an error instead of a spinning page. */
const UPSTREAM_TIMEOUT_MS = 10_000;
/**
 * An ID token signed with a key we do not know makes us fetch the JWKS again (the provider rotated its keys),
 * but at most this often, so forged tokens cannot make us hammer the provider.
 */
const JWKS_REFRESH_MS = 60_000;

/** JWS algorithms (RFC 7518, RFC 8037) an ID token may use; `none` and the HMAC ones (keyed with our secret) are refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export function createUpstreamSignIn(config: UpstreamOidcConfig) {
  let discovery: Promise<{ doc: Discovery; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined;

  function discover() {
    discovery ??= (async () => {
      const res = await fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
      if (!res.ok) throw new UpstreamSignInError(`discovery at ${config.issuer} answered ${res.status}`);
      const doc = (await res.json()) as Discovery;
      if (doc.issuer !== config.issuer) throw new UpstreamSignInError(`discovery issuer ${doc.issuer} is not ${config.issuer}`);
      if (!doc.jwks_uri) throw new UpstreamSignInError(`discovery at ${config.issuer} names no jwks_uri`);
      const keys = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: UPSTREAM_TIMEOUT_MS, cooldownDuration: JWKS_REFRESH_MS });
      return { doc, keys };
    })().catch((error) => {
      discovery = undefined; // try again on the next sign-in instead of failing forever
      throw error;
    });
    return discovery;
  }

  /** Verifies an ID token (OpenID Connect Core 3.1.3.7) and returns its claims. */
  async function verifyIdToken(jwt: string, nonce: string): Promise<JWTPayload & { sub: string }> {
    const { doc, keys } = await discover();
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, keys, {
        issuer: doc.issuer,
        audience: config.clientId,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        maxTokenAge: ID_TOKEN_MAX_AGE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      throw new UpstreamSignInError(`ID token refused: ${(error as Error).message}`, { cause: error });
    }
    // An ID token for several audiences names the one it was issued to (3.1.3.7 (4), (5)).
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined)
      throw new UpstreamSignInError('ID token for several audiences without azp');
    if (claims.azp !== undefined && claims.azp !== config.clientId) throw new UpstreamSignInError('ID token issued to another client (azp)');
    if (claims.nonce !== nonce) throw new UpstreamSignInError('ID token nonce mismatch');
    if (typeof claims.sub !== 'string' || claims.sub === '') throw new UpstreamSignInError('ID token without a subject');
    return claims as JWTPayload & { sub: string };
  }

  /**
   * `options.profileScopes`: ask for `profile email` whatever claim names the account, for a caller that reads
   * other claims too (the console's operator claim, e.g. `groups`, which providers release with those scopes).
   */
  async function start(redirectUri: string, options: { profileScopes?: boolean } = {}): Promise<UpstreamStart> {
    const { doc } = await discover();
    const state = random();
    const nonce = random();
    const codeVerifier = random();
    const url = new URL(doc.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: redirectUri,
      scope: config.claim === 'sub' && !options.profileScopes ? 'openid' : 'openid profile email',
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), state, nonce, codeVerifier };
  }

  /** Exchanges the code and returns who signed in, with the account id the configured claim names. */
  async function complete(options: {
    code: string;
    redirectUri: string;
    nonce: string;
    codeVerifier: string;
    extraClaims?: readonly string[];
  }): Promise<UpstreamIdentity> {
    const { doc } = await discover();
    const res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: options.code,
        redirect_uri: options.redirectUri,
        code_verifier: options.codeVerifier,
      }),
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; error?: string };
    if (!res.ok || !body.id_token) throw new UpstreamSignInError(`token exchange failed: ${res.status} ${body.error ?? ''}`.trim());
    const claims = await verifyIdToken(body.id_token, options.nonce);
    let value = claims[config.claim];
    let emailVerified = claims.email_verified;
    let all: Record<string, unknown> = { ...claims };
    const missing = value === undefined || (options.extraClaims ?? []).some((name) => claims[name] === undefined);
    if (missing && doc.userinfo_endpoint && body.access_token) {
      const info = await fetch(doc.userinfo_endpoint, {
        headers: { authorization: `Bearer ${body.access_token}` },
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
      if (info.ok) {
        const userinfo = (await info.json()) as Record<string, unknown>;
        // Userinfo about someone else is not about this sign-in (OpenID Connect Core 5.3.2).
        if (userinfo.sub === claims.sub) {
          if (value === undefined) {
            value = userinfo[config.claim];
            emailVerified = userinfo.email_verified;
          }
          all = { ...userinfo, ...claims };
        }
      }
    }
    // Anyone may type any address into an account at most providers; only one the provider says it verified
    // (the JSON value true: not "true", not missing) may name a user here.
    if (config.claim === 'email' && emailVerified !== true) throw new UpstreamSignInError('the upstream provider has not verified this email address');
    if (typeof value !== 'string' || value === '') throw new UpstreamSignInError(`the upstream provider sent no "${config.claim}" claim`);
    return { issuer: doc.issuer, subject: claims.sub, accountId: value, claims: all };
  }

  return { start, complete, displayName: config.displayName };
}

export type UpstreamSignIn = ReturnType<typeof createUpstreamSignIn>;
