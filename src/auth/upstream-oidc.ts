import { createHash, createPublicKey, randomBytes, verify, constants, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Sign-in through the operator's existing OpenID Connect provider (authorization code flow with PKCE, state and
 * nonce). The ID token comes straight from the provider's token endpoint, which OpenID Connect Core 3.1.3.7 (6)
 * lets a client trust on the strength of TLS alone; we verify its signature against the provider's JWKS anyway
 * (cheap, and it holds where TLS is terminated early or the issuer is plain http on a private network), then
 * iss, aud, exp and nonce. The account id is the configured claim (default `sub`), from the ID token or, if it
 * is not there, from the userinfo endpoint.
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
  jwks_uri: string;
}

const random = () => randomBytes(32).toString('base64url');
/** The provider's clock and ours may differ a little. */
const CLOCK_SKEW_SECONDS = 60;
/** A provider that does not answer within this is down; the user sees an error instead of a spinning page. */
const UPSTREAM_TIMEOUT_MS = 10_000;
/**
 * An ID token signed with a key we do not know makes us fetch the JWKS again (the provider rotated its keys),
 * but at most this often, so forged tokens cannot make us hammer the provider.
 */
const JWKS_REFRESH_MS = 60_000;

/** JWS algorithms (RFC 7518) an ID token may use; `none` and the HMAC ones (keyed with our secret) are refused. */
const ALGORITHMS: Record<string, { hash: string | null; kty: string; options?: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  PS384: { hash: 'sha384', kty: 'RSA', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 } },
  PS512: { hash: 'sha512', kty: 'RSA', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 } },
  ES256: { hash: 'sha256', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { hash: 'sha512', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { hash: null, kty: 'OKP' },
};

type Jwk = JsonWebKey & { kid?: string; use?: string; alg?: string };

export function createUpstreamSignIn(config: UpstreamOidcConfig) {
  let discovery: Promise<Discovery> | undefined;

  function discover(): Promise<Discovery> {
    discovery ??= (async () => {
      const res = await fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
      if (!res.ok) throw new UpstreamSignInError(`discovery at ${config.issuer} answered ${res.status}`);
      const doc = (await res.json()) as Discovery;
      if (doc.issuer !== config.issuer) throw new UpstreamSignInError(`discovery issuer ${doc.issuer} is not ${config.issuer}`);
      if (!doc.jwks_uri) throw new UpstreamSignInError(`discovery at ${config.issuer} names no jwks_uri`);
      return doc;
    })().catch((error) => {
      discovery = undefined; // try again on the next sign-in instead of failing forever
      throw error;
    });
    return discovery;
  }

  let keys: { fetchedAt: number; keys: Jwk[] } | undefined;

  async function signingKeys(doc: Discovery, refresh: boolean): Promise<Jwk[]> {
    if (keys && !(refresh && Date.now() - keys.fetchedAt > JWKS_REFRESH_MS)) return keys.keys;
    const res = await fetch(doc.jwks_uri, { signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
    if (!res.ok) throw new UpstreamSignInError(`the upstream JWKS at ${doc.jwks_uri} answered ${res.status}`);
    const set = (await res.json().catch(() => ({}))) as { keys?: Jwk[] };
    if (!Array.isArray(set.keys)) throw new UpstreamSignInError(`the upstream JWKS at ${doc.jwks_uri} has no keys`);
    keys = { fetchedAt: Date.now(), keys: set.keys.filter((k) => k.use === undefined || k.use === 'sig') };
    return keys.keys;
  }

  /** Checks the JWS signature of an ID token against the provider's keys and returns its claims. */
  async function verifyIdToken(jwt: string, doc: Discovery): Promise<Record<string, any>> {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new UpstreamSignInError('malformed ID token');
    const header = parseSegment(parts[0]!) as { alg?: string; kid?: string };
    const algorithm = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!algorithm) throw new UpstreamSignInError(`ID token signed with an algorithm we do not accept: ${String(header.alg)}`);
    const fits = (k: Jwk) => k.kty === algorithm.kty && (header.kid === undefined || k.kid === header.kid) && (k.alg === undefined || k.alg === header.alg);
    let candidates = (await signingKeys(doc, false)).filter(fits);
    if (candidates.length === 0) candidates = (await signingKeys(doc, true)).filter(fits);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, 'base64url');
    const valid = candidates.some((jwk) => {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        return false;
      }
      return verify(algorithm.hash, signed, { key, ...algorithm.options }, signature);
    });
    if (!valid) throw new UpstreamSignInError('ID token signature does not verify with the provider\'s keys');
    return parseSegment(parts[1]!);
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
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; error?: string };
    if (!res.ok || !body.id_token) throw new UpstreamSignInError(`token exchange failed: ${res.status} ${body.error ?? ''}`.trim());
    const claims = await verifyIdToken(body.id_token, doc);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== doc.issuer) throw new UpstreamSignInError('ID token from another issuer');
    if (!audience.includes(config.clientId)) throw new UpstreamSignInError('ID token for another client');
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) throw new UpstreamSignInError('ID token expired');
    if (claims.nonce !== options.nonce) throw new UpstreamSignInError('ID token nonce mismatch');
    let value = claims[config.claim];
    let emailVerified: unknown = claims.email_verified;
    if (value === undefined && doc.userinfo_endpoint && body.access_token) {
      const info = await fetch(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${body.access_token}` }, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
      if (info.ok) {
        const userinfo = (await info.json()) as Record<string, unknown>;
        if (userinfo.sub === claims.sub) {
          value = userinfo[config.claim];
          if (config.claim === 'email') emailVerified = userinfo.email_verified;
        }
      }
    }
    // Anyone may type any address into an account at most providers; only a verified one may name a user here.
    if (config.claim === 'email' && emailVerified === false) throw new UpstreamSignInError('the upstream provider has not verified this email address');
    if (typeof value !== 'string' || value === '') throw new UpstreamSignInError(`the upstream provider sent no "${config.claim}" claim`);
    return value;
  }

  return { start, complete, displayName: config.displayName };
}

function parseSegment(segment: string): Record<string, any> {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, any>;
  } catch {
    // falls through to the error below
  }
  throw new UpstreamSignInError('malformed ID token');
}

export type UpstreamSignIn = ReturnType<typeof createUpstreamSignIn>;
