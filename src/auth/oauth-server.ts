import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, type Interaction } from 'oidc-provider';
import type { Catalog } from '../catalog/index.js';
import { auditSql, grants, type AuditOrigin, type Db } from '../store/index.js';
import type { AccountService } from './accounts.js';
import { clientSecretMatches } from './clients.js';
import { createOidcAdapterFactory } from './oidc-adapter.js';
import { readRequestedScopes } from './scopes.js';
import { GRANT_LIFETIME_MS } from './tokens.js';
import type { BrowserSignOutListener, ConsentChoice, OauthInteraction, OauthServer, SigningOutBrowser, TokenService } from './types.js';

/** Where the provider's endpoints live; the issuer is the server's root so RFC 8414 metadata sits at the root too. */
const OAUTH_ROUTES = Object.freeze({
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  jwks: '/oauth/jwks',
  userinfo: '/oauth/userinfo',
  end_session: '/oauth/logout',
  pushed_authorization_request: '/oauth/par',
  code_verification: '/oauth/device',
  device_authorization: '/oauth/device/auth',
  backchannel_authentication: '/oauth/backchannel',
  registration: '/oauth/register',
  challenge: '/oauth/challenge',
});

export const INTERACTION_PATH = '/oauth/interaction';

/**
 * One-time grants do not expire with time (API.md), but their refresh token must end somewhere: 14 days is
 * how long Google keeps an archive, after which a one-time grant has nothing left to fetch.
 */
const ONE_TIME_GRANT_SECONDS = 14 * 86_400;
/** An authorization code is exchanged by the client's backend within seconds; a minute allows for slow links. */
const CODE_TTL_SECONDS = 60;
/** Time to sign in and read the consent page. */
const INTERACTION_TTL_SECONDS = 30 * 60;

/**
 * RFC 8414 metadata changes only with a new release or catalog (a restart), yet clients fetch it before every
 * authorization. An hour spares them the round trip without keeping a changed document around for long.
 */
const METADATA_MAX_AGE_SECONDS = 3600;

const escapeAttribute = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Introspection and revocation policy: a client may see or end only the tokens issued to it. */
const ownTokensOnly = async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId;

export class ConsentError extends Error {
  override readonly name = 'ConsentError';
}

export interface OauthServerDeps {
  db: Db;
  catalog: Catalog;
  accounts: AccountService;
  tokens: Pick<TokenService, 'recordGrant'>;
  now: () => number;
  tokenLifetimeMs: number;
  /** Secret the provider's cookie keys are derived from (the server's signing key). */
  secret: Buffer;
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** The HTML page for an error the provider cannot send back to a client (unknown client, bad redirect URI). */
  renderErrorPage: (error: { message: string; hl: string | undefined; acceptLanguage: string | undefined }) => string;
  /**
   * The sign-out confirmation (RP-initiated logout): `form` is the provider's form, with its CSRF field; the
   * page adds the buttons that submit it. `signedIn` is false when there is no session to end.
   */
  renderLogoutPage: (page: { form: string; signedIn: boolean; acceptLanguage: string | undefined }) => string;
  /** The page after the sign-out form when the client gave no post_logout_redirect_uri (signed out, or stayed). */
  renderLogoutDonePage: (page: { signedOut: boolean; acceptLanguage: string | undefined }) => string;
  /** Headers every HTML page carries (framing, sniffing, CSP); the provider's pages get them too. */
  pageHeaders: Readonly<Record<string, string>>;
  /**
   * Whether X-Forwarded-For/-Proto/-Host come from a proxy we trust (DATAPORT_TRUST_PROXY). Either way the
   * provider's URLs (metadata, redirects) are built from the issuer, never from the request's Host.
   */
  trustProxy: boolean;
}

/**
 * The OAuth 2.0 authorization server: oidc-provider (certified), configured for Google's Data Portability
 * consent. Our own parts are the consent decision (recorded as a Dataport grant sharing the provider's grant
 * id), the account look-up and the scope rules. The provider is built on first use because the issuer is the
 * server's public URL, which is known only once it listens.
 */
export function createOauthServer(deps: OauthServerDeps): OauthServer {
  const { db, catalog } = deps;
  const signOutListeners: BrowserSignOutListener[] = [];
  let built: { provider: Provider; issuer: string; apiResource: string } | undefined;

  function providerFor(issuer: string) {
    if (built && built.issuer === issuer) return built;
    if (built) throw new Error(`the OAuth issuer cannot change while running (${built.issuer} -> ${issuer})`);
    const apiResource = `${issuer}/v1`;
    const provider = new Provider(issuer, configuration(apiResource));
    // Only a configured proxy may tell the provider the client's address (X-Forwarded-For); anyone else could
    // forge it. Scheme and host come from the issuer either way (pinOriginToIssuer).
    provider.proxy = deps.trustProxy;
    provider.on('server_error', (_ctx: unknown, err: Error) => deps.logger.error({ err }, 'oauth server error'));
    // Every access token the token endpoint issues (code exchange, refresh) leaves an audit entry. After the
    // fact, not in the provider's own write: its adapter saves the token outside any transaction of ours.
    provider.on('grant.success', (ctx: any) => {
      const token = ctx.oidc?.entities?.AccessToken;
      if (!token) return;
      auditSql
        .appendAudit(db, {
          at: deps.now(),
          action: 'token.issue',
          actor: 'client',
          userId: token.accountId,
          clientId: token.clientId,
          ip: ctx.ip,
          detail: { grantId: token.grantId, grantType: ctx.oidc.params?.grant_type },
        })
        .catch((err: unknown) => deps.logger.error({ err }, 'could not write the audit entry of an issued token'));
    });
    provider.use(pinOriginToIssuer(new URL(issuer)));
    provider.use(pageHeaders);
    provider.use(metadataCaching);
    provider.use(askBeforeSignOutWithoutSession);
    provider.use(signOutEverywhere);
    provider.use(addRefreshTokenLifetime);
    // The sanctioned way to check hashed client secrets (node-oidc-provider#631: "an exposed client prototype
    // func"): the client's metadata holds the secret's sha256 (clients.ts), and this compares what a client
    // presents with it in constant time. The provider's own comparison would take the hash as the secret.
    provider.Client.prototype.compareClientSecret = async function compareClientSecret(actual) {
      return this.clientSecret !== undefined && clientSecretMatches(this.clientSecret, actual);
    };
    built = { provider, issuer, apiResource };
    return built;
  }

  /**
   * The provider builds every URL it hands out (metadata endpoints, the interaction and resume redirects)
   * from the request's origin, which is the Host header, or X-Forwarded-Host/-Proto behind a trusted proxy.
   * A request with a forged Host would then publish endpoints on another site. The issuer is the public URL
   * the operator configured (or the address this server listens on), so the provider sees that origin
   * whatever the request says. `secure` follows, so cookies are Secure exactly when the issuer is https.
   */
  function pinOriginToIssuer(issuer: URL) {
    const protocol = issuer.protocol.slice(0, -1);
    return async (ctx: any, next: () => Promise<void>) => {
      Object.defineProperties(ctx.request, {
        protocol: { value: protocol },
        host: { value: issuer.host },
        hostname: { value: issuer.hostname },
      });
      await next();
    };
  }

  /**
   * The headers Dataport's own pages carry, on every provider response: error pages, the sign-out pages and
   * the form_post page. That page's inline script is allowed by its hash, which the provider adds to
   * script-src itself; 'none' is then dropped, as a source list with 'none' must hold nothing else.
   */
  async function pageHeaders(ctx: any, next: () => Promise<void>) {
    for (const [name, value] of Object.entries(deps.pageHeaders)) ctx.set(name, value);
    const csp = deps.pageHeaders['content-security-policy'];
    if (csp) ctx.set('content-security-policy', `${csp}; script-src 'none'`);
    try {
      await next();
    } finally {
      const set = ctx.response.get('content-security-policy') as string;
      if (set.includes("script-src 'none' 'sha256-")) ctx.set('content-security-policy', set.replace("script-src 'none' ", 'script-src '));
    }
  }

  /**
   * With no signed-in session the provider skips logoutSource and answers a page that submits the sign-out
   * by script. Ours asks instead, with the same form: the provider's xsrf field and `logout=yes`.
   */
  async function askBeforeSignOutWithoutSession(ctx: any, next: () => Promise<void>) {
    await next();
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200 || ctx.oidc.session?.accountId) return;
    const secret = ctx.oidc.session?.state?.secret as string | undefined;
    if (!secret) return;
    const form =
      `<form id="op.logoutForm" method="post" action="${escapeAttribute(ctx.oidc.urlFor('end_session_confirm'))}">` +
      `<input type="hidden" name="xsrf" value="${escapeAttribute(secret)}"><input type="hidden" name="logout" value="yes"></form>`;
    // The provider added its script's hash to script-src; this page has no script.
    ctx.set('content-security-policy', `${deps.pageHeaders['content-security-policy']}; script-src 'none'`);
    ctx.type = 'html';
    ctx.body = deps.renderLogoutPage({ form, signedIn: false, acceptLanguage: ctx.get('accept-language') || undefined });
  }

  /**
   * A confirmed sign-out at `/oauth/logout` (`logout=yes`, the provider's xsrf checked) ends the browser's other
   * sessions too: the account page's (web/routes.ts listens). "Stay signed in" and a refused form end nothing.
   */
  async function signOutEverywhere(ctx: any, next: () => Promise<void>) {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !ctx.oidc.params?.logout) return;
    const browser: SigningOutBrowser = {
      cookieHeader: ctx.get('cookie') || undefined,
      setCookie: (value) => ctx.append('set-cookie', value),
    };
    for (const listener of signOutListeners) await listener(browser);
  }

  async function metadataCaching(ctx: any, next: () => Promise<void>) {
    await next();
    if (ctx.oidc?.route === 'discovery' && ctx.status === 200) ctx.set('cache-control', `public, max-age=${METADATA_MAX_AGE_SECONDS}`);
  }

  function configuration(apiResource: string): Record<string, unknown> {
    const catalogScopes = catalog.groups.map((g) => g.scope).join(' ');
    return {
      adapter: createOidcAdapterFactory({ db, now: deps.now }),
      findAccount: async (_ctx: unknown, id: string) => ((await deps.accounts.exists(id)) ? { accountId: id, claims: async () => ({ sub: id }) } : undefined),
      routes: OAUTH_ROUTES,
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}/${interaction.uid}` },
      cookies: { keys: [createHmac('sha256', deps.secret).update('dataport oauth cookies').digest('base64url')] },
      // Signs nothing we hand out (tokens are opaque, no ID tokens), but the provider insists on a key.
      jwks: { keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })] },
      responseTypes: ['code'],
      renderError: async (ctx: any, out: { error: string; error_description?: string }) => {
        ctx.type = 'html';
        ctx.body = deps.renderErrorPage({
          message: out.error_description ? `${out.error}: ${out.error_description}` : out.error,
          hl: typeof ctx.query?.hl === 'string' ? ctx.query.hl : undefined,
          acceptLanguage: ctx.get?.('accept-language') || undefined,
        });
      },
      // Google's authorization endpoint requires redirect_uri; so do we, and it must match exactly.
      allowOmittingSingleRegisteredRedirectUri: false,
      pkce: { required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none' },
      // Google's parameters: access_type drives refresh tokens, hl the language; both are validated here, and
      // this is the step (after client and redirect_uri checks) where invalid_scope goes back to the client.
      extraParams: {
        access_type: (ctx: any, value: unknown) => {
          if (value !== undefined && value !== 'online' && value !== 'offline') {
            throw new errors.InvalidRequest("access_type must be 'online' or 'offline'");
          }
          checkScopes(ctx.oidc.params.scope as string | undefined);
        },
        hl: undefined,
        include_granted_scopes: undefined,
      },
      features: {
        devInteractions: { enabled: false },
        // DPoP (RFC 9449) off: Google's API has none, so its clients (googleapis included) send plain Bearer
        // tokens, and a proof-of-possession the API would not check is worse than none. On, the provider
        // advertised it and bound tokens to a key that the API then ignored (a bound token worked without a
        // proof, and `Authorization: DPoP` was refused). Off, metadata does not name it and a DPoP header at
        // the token endpoint is ignored: the token is a Bearer token, as Google's are.
        dPoP: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          // Our own pages: the provider's auto-submit the sign-out when there is no session, and load fonts
          // from Google. Ours ask first (the provider's xsrf field protects the POST) and load nothing.
          logoutSource: async (ctx: any, form: string) => {
            ctx.type = 'html';
            ctx.body = deps.renderLogoutPage({
              form,
              signedIn: Boolean(ctx.oidc?.session?.accountId),
              acceptLanguage: ctx.get('accept-language') || undefined,
            });
          },
          postLogoutSuccessSource: async (ctx: any) => {
            // The provider comes here after "stay signed in" too; only then does the session cookie remain.
            const signedOut = !ctx.cookies.get(ctx.oidc.provider.cookieName('session'));
            ctx.type = 'html';
            ctx.body = deps.renderLogoutDonePage({ signedOut, acceptLanguage: ctx.get('accept-language') || undefined });
          },
        },
        // A client may introspect only its own tokens: Dataport has no resource servers that would need more,
        // and another app's token would tell it which user that app serves.
        introspection: { enabled: true, allowedPolicy: ownTokensOnly },
        // A client may revoke only its own tokens (RFC 7009 §2.1: the token was issued to the client making the request).
        revocation: { enabled: true, allowedPolicy: ownTokensOnly },
        userinfo: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => apiResource,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx: unknown, identifier: string) => {
            if (identifier !== apiResource) throw new errors.InvalidTarget(`unknown resource: ${identifier}`);
            return { scope: catalogScopes, accessTokenFormat: 'opaque', audience: apiResource };
          },
        },
      },
      // Every authorization asks for consent, as Google's Data Portability consent does: the grant is per consent.
      loadExistingGrant: async (ctx: any) => {
        const grantId = ctx.oidc.result?.consent?.grantId as string | undefined;
        return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
      },
      issueRefreshToken: async (_ctx: unknown, client: any, code: { grantId?: string }) => {
        if (!client.grantTypeAllowed('refresh_token') || !code.grantId) return false;
        return (await grants.findGrant(db, code.grantId))?.offline_access === 1;
      },
      // Google keeps one refresh token for the life of the grant, and confidential clients keep that: their
      // refresh token is useless without the secret. A public client's refresh token is all an attacker needs,
      // so it rotates on every use (RFC 9700 §4.14.2), and presenting one already rotated revokes the whole
      // grant (the provider's reuse detection, which ends our grant too through revokeByGrantId).
      rotateRefreshToken: (ctx: any) => ctx.oidc.client?.clientAuthMethod === 'none',
      // Tokens live as long as the Dataport grant, not the browser session that consented: by default the
      // provider binds them to it (no offline_access scope here), so a 30- or 180-day grant's refresh token
      // died when the 14-day session ended, or when the same browser consented to the same app again.
      expiresWithSession: async () => false,
      ttl: {
        AccessToken: (ctx: any) => Math.max(1, Math.min(Math.round(deps.tokenLifetimeMs / 1000), grantSecondsLeft(ctx))),
        RefreshToken: (ctx: any) => Math.max(1, grantSecondsLeft(ctx)),
        AuthorizationCode: CODE_TTL_SECONDS,
        Interaction: INTERACTION_TTL_SECONDS,
        Session: 14 * 86_400,
        Grant: ONE_TIME_GRANT_SECONDS,
      },
    };
  }

  /** Only catalog scopes, at least one; anything else (unknown, or mixed with OpenID scopes) is invalid_scope. */
  function checkScopes(scope: string | undefined) {
    const requested = readRequestedScopes(scope);
    if (requested.length === 0) throw new errors.InvalidScope('at least one data portability scope is required', scope ?? '');
    const foreign = requested.filter((s) => !catalog.byScope(s));
    if (foreign.length > 0) {
      const portability = requested.length > foreign.length;
      throw new errors.InvalidScope(portability ? 'data portability scopes cannot be mixed with other scopes' : 'unknown scope', foreign.join(' '));
    }
  }

  async function addRefreshTokenLifetime(ctx: any, next: () => Promise<void>) {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    const grant = ctx.oidc.entities?.Grant as { jti: string; exp?: number } | undefined;
    if (!grant || !(ctx.body.refresh_token || ctx.oidc.entities?.RefreshToken)) return;
    const row = await grants.findGrant(db, grant.jti);
    if (row && row.access !== 'once') ctx.body.refresh_token_expires_in = grantSecondsLeft(ctx);
  }

  function grantSecondsLeft(ctx: any): number {
    const exp = ctx?.oidc?.entities?.Grant?.exp as number | undefined;
    return exp ? exp - Math.floor(Date.now() / 1000) : ONE_TIME_GRANT_SECONDS;
  }

  /** The groups an interaction asks for, in catalog order. */
  function requestedGroups(details: OauthInteraction): string[] {
    const scopes = new Set(readRequestedScopes(details.params.scope));
    return catalog.groups.filter((g) => scopes.has(g.scope)).map((g) => g.name);
  }

  return {
    /** The Node handler for every provider endpoint (mounted at the root; its routes start with /oauth). */
    handler(issuer: string) {
      return providerFor(issuer).provider.callback();
    },
    async interactionDetails(issuer: string, req: IncomingMessage, res: ServerResponse) {
      return interactionView(await providerFor(issuer).provider.interactionDetails(req, res));
    },
    requestedGroups,
    /** Finishes the sign-in step; returns where to send the browser. */
    finishSignIn(issuer: string, req: IncomingMessage, res: ServerResponse, accountId: string): Promise<string> {
      return providerFor(issuer).provider.interactionResult(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    },
    /** Records the user's consent as a provider grant and a Dataport grant with the same id. */
    async finishConsent(
      issuer: string,
      req: IncomingMessage,
      res: ServerResponse,
      details: OauthInteraction,
      choice: ConsentChoice,
      origin?: AuditOrigin,
    ): Promise<string> {
      const { provider, apiResource } = providerFor(issuer);
      const accountId = details.session?.accountId;
      if (!accountId) throw new ConsentError('the sign-in for this consent has ended; start again from the app');
      const requested = requestedGroups(details);
      const granted = requested.filter((g) => choice.resources.includes(g));
      if (granted.length === 0) throw new ConsentError('choose at least one kind of data to share, or deny');
      if (choice.resources.some((r) => !requested.includes(r))) throw new ConsentError('a chosen group was not requested');
      const lifetimeMs = GRANT_LIFETIME_MS[choice.access];
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      // What the constructor's `expiresIn` would set (models/base_token.js), which @types/oidc-provider leaves out.
      Object.assign(grant, { expiresIn: lifetimeMs === null ? ONE_TIME_GRANT_SECONDS : lifetimeMs / 1000 });
      const scopeOf = (names: string[]) => names.map((n) => catalog.get(n)!.scope).join(' ');
      grant.addResourceScope(apiResource, scopeOf(granted));
      const rejected = requested.filter((g) => !granted.includes(g));
      if (rejected.length > 0) grant.rejectResourceScope(apiResource, scopeOf(rejected));
      const grantId = await grant.save();
      await deps.tokens.recordGrant({
        id: grantId,
        userId: accountId,
        clientId: details.params.client_id,
        resources: granted,
        access: choice.access,
        offline: details.params.access_type === 'offline',
        ...(origin ? { origin } : {}),
      });
      return provider.interactionResult(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    },
    /**
     * Ends the provider's login session this browser holds (its 14-day `_session`), so the next authorization
     * asks for a sign-in again; the cookie that named it then names nothing. Called by the account page's sign-out.
     */
    async endBrowserSession(issuer: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
      const { provider } = providerFor(issuer);
      const session = await provider.Session.get(provider.createContext(req, res));
      // A cookie that names no stored session gets a made-up one, marked `new`: nothing to destroy.
      if (!('new' in session)) await session.destroy();
    },
    /** Called on every confirmed sign-out at `/oauth/logout`, before its answer is sent. */
    onBrowserSignOut(listener: BrowserSignOutListener): void {
      signOutListeners.push(listener);
    },
    deny(issuer: string, req: IncomingMessage, res: ServerResponse): Promise<string> {
      return providerFor(issuer).provider.interactionResult(
        req,
        res,
        { error: 'access_denied', error_description: 'the user denied the request' },
        { mergeWithLastSubmission: false },
      );
    },
  };
}

/** The provider's interaction, with the parameters our pages read checked to be strings. */
function interactionView(details: Interaction): OauthInteraction {
  const param = (name: string) => (typeof details.params[name] === 'string' ? details.params[name] : undefined);
  const clientId = param('client_id');
  // The provider starts an interaction only for a request naming a registered client.
  if (clientId === undefined) throw new Error(`interaction ${details.uid} has no client_id`);
  const [scope, accessType, hl] = [param('scope'), param('access_type'), param('hl')];
  return {
    uid: details.uid,
    prompt: { name: details.prompt.name },
    params: {
      client_id: clientId,
      ...(scope !== undefined ? { scope } : {}),
      ...(accessType !== undefined ? { access_type: accessType } : {}),
      ...(hl !== undefined ? { hl } : {}),
    },
    ...(details.session ? { session: { accountId: details.session.accountId } } : {}),
  };
}
