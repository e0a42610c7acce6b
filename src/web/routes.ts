import querystring from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog } from '../catalog/index.js';
import {
  ACCESS_MODES, AccountError, ConsentError, INTERACTION_PATH, UpstreamSignInError, type AccountOverview, type AccountService, type ClientService,
  type OauthServer, type SignInResult, type TokenService, type UpstreamSignIn,
} from '../auth/index.js';
import type { AccessMode } from '../store/index.js';
import { accountPage } from './account-page.js';
import { consentPage } from './consent-page.js';
import type { Locales, Messages } from './i18n.js';
import { errorPage } from './layout.js';
import { PAGE_HEADERS } from './page-headers.js';
import { cookie, readCookie, type Signer } from './signed-values.js';
import { signInPage, type SignInView } from './sign-in-page.js';
import type { Metrics } from '../metrics/types.js';
import { adminRoutes, type AdminDeps } from './admin/routes.js';

export interface WebDeps {
  oauth: OauthServer;
  accounts: AccountService;
  overview: AccountOverview;
  clients: Pick<ClientService, 'findClientName'>;
  tokens: Pick<TokenService, 'revokeAuthorization'>;
  catalog: Catalog;
  locales: Locales;
  signer: Signer;
  upstream: UpstreamSignIn | undefined;
  /** The public URL, which is also the OAuth issuer. */
  issuer: () => string;
  logger: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics: Metrics;
  /** The operator's console at /admin (web/admin/), under this plugin's parser, headers and error page. */
  admin?: AdminDeps;
}

const ACCOUNT_COOKIE = 'dp_account';
/**
 * A random value the account page's sign-in form is bound to before anyone signs in: its CSRF token is an HMAC
 * of it, so a token one visitor got is worthless in another's browser (login CSRF: signing a victim in as the
 * attacker). The OAuth sign-in needs none: its token is bound to the interaction, whose cookie is the browser's own.
 */
const PRE_SESSION_COOKIE = 'dp_presession';
/** Long enough to fill the form after lunch; a stale page is answered with a fresh one. */
const PRE_SESSION_MS = 12 * 3_600_000;
const UPSTREAM_COOKIE = 'dp_upstream';
const UPSTREAM_CALLBACK = '/oauth/upstream/callback';
/** The account page session; short, because it can remove apps' access. */
const ACCOUNT_SESSION_MS = 8 * 3_600_000;
/** Time to sign in at the upstream provider. */
const UPSTREAM_STATE_MS = 10 * 60_000;

type Form = Record<string, string | string[] | undefined>;
type Params = { uid: string };
type Interaction = Awaited<ReturnType<OauthServer['interactionDetails']>>;

/** Sign-in, consent and account pages, server-rendered. Every POST checks a CSRF token; pages are never cached. */
export async function webRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { oauth, signer, locales } = deps;
  const secure = () => deps.issuer().startsWith('https:');

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, querystring.parse(String(body))),
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.headers(PAGE_HEADERS);
    return payload;
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ err: error }, 'page failed');
    const t = language(request);
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(t, status === 500 ? t.t('error.title') : error.message));
  });

  function language(request: FastifyRequest, hl?: unknown): Messages {
    const q = request.query as Record<string, unknown>;
    const param = typeof q?.hl === 'string' ? q.hl : typeof hl === 'string' ? hl : undefined;
    return locales.pick(param, request.headers['accept-language']);
  }

  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);
  const form = (request: FastifyRequest): Form => (request.body ?? {}) as Form;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

  /** The interaction this browser is in, if it is the one in the URL; otherwise an "expired" page was sent. */
  async function interaction(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    try {
      const details = await oauth.interactionDetails(deps.issuer(), request.raw, reply.raw);
      if (details.uid === request.params.uid) return details;
    } catch (error) {
      if ((error as Error).name !== 'SessionNotFound') throw error;
    }
    const t = language(request);
    html(reply, errorPage(t, t.t('error.expired')), 400);
    return undefined;
  }

  /** Stores a new account session (server-side, by its id's hash) and hands the browser its signed cookie. */
  async function startAccountSession(reply: FastifyReply, userId: string) {
    const sid = await deps.accounts.startSession(userId, ACCOUNT_SESSION_MS);
    const value = signer.sign('account', { sub: userId, sid }, ACCOUNT_SESSION_MS);
    reply.header('set-cookie', cookie(ACCOUNT_COOKIE, value, { maxAgeSeconds: ACCOUNT_SESSION_MS / 1000, secure: secure() }));
  }

  /** The signed-in user: a validly signed cookie whose session is still stored (not signed out, user not removed). */
  async function accountSession(request: Pick<FastifyRequest, 'headers'>) {
    const session = signer.verify<{ sub: string; sid: string }>('account', readCookie(request.headers.cookie, ACCOUNT_COOKIE));
    if (!session || typeof session.sub !== 'string' || typeof session.sid !== 'string') return undefined;
    return (await deps.accounts.sessionIsLive(session.sub, session.sid)) ? session : undefined;
  }

  /** This browser's pre-session value; a new one (and its cookie) when it has none. */
  function preSession(request: FastifyRequest, reply: FastifyReply): string {
    const existing = readCookie(request.headers.cookie, PRE_SESSION_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
    const value = signer.newId();
    reply.header('set-cookie', cookie(PRE_SESSION_COOKIE, value, { maxAgeSeconds: PRE_SESSION_MS / 1000, path: '/account', secure: secure() }));
    return value;
  }

  const accountLoginCsrf = (preSessionValue: string) => `account-login:${preSessionValue}`;

  /** The sign-in page's link to the upstream provider, spread into its view; nothing when none is configured. */
  function upstreamLink(href: string): Pick<SignInView, 'upstream'> {
    return deps.upstream ? { upstream: { href, name: deps.upstream.displayName } } : {};
  }

  /** The sign-in page of an OAuth interaction: it names the app asking. */
  async function interactionSignInView(details: Interaction): Promise<SignInView> {
    return {
      clientName: await clientName(details.params.client_id),
      action: `${INTERACTION_PATH}/${details.uid}/login`,
      csrfToken: signer.csrfToken(`interaction:${details.uid}`),
      ...upstreamLink(`${INTERACTION_PATH}/${details.uid}/upstream`),
    };
  }

  /** The sign-in page of the account page, its CSRF token bound to this browser's pre-session cookie. */
  function accountSignInView(request: FastifyRequest, reply: FastifyReply): SignInView {
    const csrfToken = signer.csrfToken(accountLoginCsrf(preSession(request, reply)));
    return { action: '/account/login', csrfToken, ...upstreamLink('/account/upstream') };
  }

  /** The sign-in page again after a refused sign-in: 401, or 429 with Retry-After when the sign-in is throttled. */
  function signInRefused(reply: FastifyReply, t: Messages, result: Exclude<SignInResult, { ok: true }>, view: SignInView) {
    deps.metrics.signInFailure(result.reason);
    if (result.reason === 'throttled') reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
    const error = result.reason !== 'throttled'
      ? t.t('signIn.invalid')
      : result.retryAfterMs < 60_000
        ? t.t('signIn.throttledSeconds', { seconds: Math.ceil(result.retryAfterMs / 1000) })
        : t.t('signIn.throttled', { minutes: Math.ceil(result.retryAfterMs / 60_000) });
    return html(reply, signInPage(t, { ...view, error }), result.reason === 'throttled' ? 429 : 401);
  }

  /** A resource group as the pages show it: its description in this language, its name as secondary text. */
  function describeGroup(t: Messages, name: string) {
    const group = deps.catalog.get(name);
    return { name, description: t.group(name, group?.description ?? name), ...(group?.retired ? { retired: true } : {}) };
  }

  async function clientName(clientId: string) {
    return (await deps.clients.findClientName(clientId)) ?? clientId;
  }

  async function renderConsent(t: Messages, details: Interaction, extra: { error?: string; chosen?: string[]; access?: AccessMode } = {}) {
    const requested = oauth.requestedGroups(details);
    return consentPage(t, {
      clientName: await clientName(details.params.client_id),
      userId: details.session!.accountId,
      action: `${INTERACTION_PATH}/${details.uid}/consent`,
      csrfToken: signer.csrfToken(`interaction:${details.uid}`),
      groups: requested.map((name) => ({ ...describeGroup(t, name), checked: extra.chosen ? extra.chosen.includes(name) : true })),
      access: extra.access ?? 'once',
      ...(extra.error ? { error: extra.error } : {}),
    });
  }

  if (deps.admin) await app.register(adminRoutes, deps.admin);

  // --- the OAuth interaction: sign-in, then consent ---

  app.get<{ Params: Params }>(`${INTERACTION_PATH}/:uid`, async (request, reply) => {
    const details = await interaction(request, reply);
    if (!details) return reply;
    const t = language(request, details.params.hl);
    if (details.prompt.name === 'login') return html(reply, signInPage(t, await interactionSignInView(details)));
    return html(reply, await renderConsent(t, details));
  });

  app.post<{ Params: Params }>(`${INTERACTION_PATH}/:uid/login`, async (request, reply) => {
    const details = await interaction(request, reply);
    if (!details) return reply;
    const t = language(request, details.params.hl);
    const body = form(request);
    if (!signer.checkCsrf(`interaction:${details.uid}`, one(body.csrf))) return html(reply, errorPage(t, t.t('error.csrf')), 403);
    const userId = (one(body.user) ?? '').trim();
    const result = await deps.accounts.signIn(userId, one(body.password) ?? '', request.ip);
    if (!result.ok) return signInRefused(reply, t, result, { ...(await interactionSignInView(details)), userId });
    await startAccountSession(reply, result.accountId);
    return reply.redirect(await oauth.finishSignIn(deps.issuer(), request.raw, reply.raw, result.accountId), 303);
  });

  app.post<{ Params: Params }>(`${INTERACTION_PATH}/:uid/consent`, async (request, reply) => {
    const details = await interaction(request, reply);
    if (!details) return reply;
    const t = language(request, details.params.hl);
    const body = form(request);
    if (!signer.checkCsrf(`interaction:${details.uid}`, one(body.csrf))) return html(reply, errorPage(t, t.t('error.csrf')), 403);
    if (details.prompt.name !== 'consent') return html(reply, errorPage(t, t.t('error.expired')), 400);
    if (one(body.decision) === 'deny') return reply.redirect(await oauth.deny(deps.issuer(), request.raw, reply.raw), 303);
    const chosen = [body.group ?? []].flat();
    const accessValue = one(body.access);
    const access = ACCESS_MODES.find((a) => a === accessValue);
    if (!access || chosen.length === 0) {
      return html(reply, await renderConsent(t, details, { error: t.t('consent.noneChosen'), chosen, ...(access ? { access } : {}) }), 400);
    }
    try {
      return reply.redirect(await oauth.finishConsent(deps.issuer(), request.raw, reply.raw, details, { resources: chosen, access }, { ip: request.ip }), 303);
    } catch (error) {
      if (!(error instanceof ConsentError)) throw error;
      return html(reply, await renderConsent(t, details, { error: error.message, chosen, access }), 400);
    }
  });

  // --- sign-in through the upstream OpenID Connect provider ---

  async function startUpstream(reply: FastifyReply, uid: string | undefined) {
    const start = await deps.upstream!.start(deps.issuer() + UPSTREAM_CALLBACK);
    const state = signer.sign('upstream', { state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier, uid }, UPSTREAM_STATE_MS);
    reply.header('set-cookie', cookie(UPSTREAM_COOKIE, state, { maxAgeSeconds: UPSTREAM_STATE_MS / 1000, path: '/oauth/upstream', secure: secure() }));
    return reply.redirect(start.url, 303);
  }

  app.get<{ Params: Params }>(`${INTERACTION_PATH}/:uid/upstream`, async (request, reply) => {
    if (!deps.upstream) return reply.callNotFound();
    const details = await interaction(request, reply);
    if (!details) return reply;
    return startUpstream(reply, details.uid);
  });

  app.get('/account/upstream', async (_request, reply) => {
    if (!deps.upstream) return reply.callNotFound();
    return startUpstream(reply, undefined);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>(UPSTREAM_CALLBACK, async (request, reply) => {
    if (!deps.upstream) return reply.callNotFound();
    const t = language(request);
    const saved = signer.verify<{ state: string; nonce: string; codeVerifier: string; uid?: string }>('upstream', readCookie(request.headers.cookie, UPSTREAM_COOKIE));
    const failed = () => html(reply, errorPage(t, t.t('error.upstream', { provider: deps.upstream!.displayName })), 400);
    if (!saved || !request.query.code || request.query.state !== saved.state) return failed();
    let userId: string;
    try {
      const identity = await deps.upstream.complete({ code: request.query.code, redirectUri: deps.issuer() + UPSTREAM_CALLBACK, nonce: saved.nonce, codeVerifier: saved.codeVerifier });
      userId = await deps.accounts.signInUpstream(identity);
    } catch (error) {
      if (!(error instanceof UpstreamSignInError) && !(error instanceof AccountError)) throw error;
      deps.logger.warn({ err: error }, 'upstream sign-in failed');
      return failed();
    }
    reply.header('set-cookie', cookie(UPSTREAM_COOKIE, '', { maxAgeSeconds: 0, path: '/oauth/upstream', secure: secure() }));
    if (!saved.uid) {
      await startAccountSession(reply, userId);
      return reply.redirect('/account', 303);
    }
    // The interaction cookie is scoped to the interaction's path, so finish the sign-in there.
    const ticket = signer.sign('upstream-ticket', { uid: saved.uid, sub: userId }, 60_000);
    return reply.redirect(`${INTERACTION_PATH}/${saved.uid}/upstream-done?ticket=${encodeURIComponent(ticket)}`, 303);
  });

  app.get<{ Params: Params; Querystring: { ticket?: string } }>(`${INTERACTION_PATH}/:uid/upstream-done`, async (request, reply) => {
    const details = await interaction(request, reply);
    if (!details) return reply;
    const ticket = signer.verify<{ uid: string; sub: string }>('upstream-ticket', request.query.ticket);
    if (!ticket || ticket.uid !== details.uid) {
      const t = language(request);
      return html(reply, errorPage(t, t.t('error.expired')), 400);
    }
    await startAccountSession(reply, ticket.sub);
    return reply.redirect(await oauth.finishSignIn(deps.issuer(), request.raw, reply.raw, ticket.sub), 303);
  });

  // --- the user's account page ---

  app.get<{ Querystring: { revoked?: string } }>('/account', async (request, reply) => {
    const t = language(request);
    const session = await accountSession(request);
    if (!session) return html(reply, signInPage(t, accountSignInView(request, reply)));
    const [apps, exports, activity] = await Promise.all([
      deps.overview.listApps(session.sub), deps.overview.listExports(session.sub), deps.overview.listActivity(session.sub),
    ]);
    const revoked = request.query.revoked;
    return html(reply, accountPage(t, {
      userId: session.sub,
      csrfToken: signer.csrfToken(`account:${session.sid}`),
      ...(revoked ? { notice: t.t('account.revoked', { client: await clientName(revoked) }) } : {}),
      apps: apps.map((a) => ({
        clientId: a.clientId,
        clientName: a.clientName,
        access: a.access,
        expiresAt: a.expiresAt,
        groups: a.groups.map((name) => describeGroup(t, name)),
      })),
      activity,
      exports: exports.map((e) => ({
        ...e,
        groups: e.groups.map((name) => describeGroup(t, name)),
      })),
    }));
  });

  app.post('/account/login', async (request, reply) => {
    const t = language(request);
    const body = form(request);
    const preSessionValue = readCookie(request.headers.cookie, PRE_SESSION_COOKIE);
    if (!preSessionValue || !signer.checkCsrf(accountLoginCsrf(preSessionValue), one(body.csrf))) {
      return html(reply, errorPage(t, t.t('error.csrf'), '/account'), 403);
    }
    const userId = (one(body.user) ?? '').trim();
    const result = await deps.accounts.signIn(userId, one(body.password) ?? '', request.ip);
    if (!result.ok) return signInRefused(reply, t, result, { ...accountSignInView(request, reply), userId });
    await startAccountSession(reply, result.accountId);
    return reply.redirect('/account', 303);
  });

  app.post('/account/revoke', async (request, reply) => {
    const t = language(request);
    const session = await accountSession(request);
    const body = form(request);
    if (!session || !signer.checkCsrf(`account:${session.sid}`, one(body.csrf))) return html(reply, errorPage(t, t.t('error.csrf'), '/account'), 403);
    const clientId = one(body.client_id);
    if (!clientId) return html(reply, errorPage(t, t.t('error.title'), '/account'), 400);
    await deps.tokens.revokeAuthorization(session.sub, clientId, 'user_removed_app', { actor: 'user', ip: request.ip });
    return reply.redirect(`/account?revoked=${encodeURIComponent(clientId)}`, 303);
  });

  // Signing out at the OAuth provider's page (`/oauth/logout`, confirmed) ends this browser's account page
  // session too, as /account/logout ends both.
  oauth.onBrowserSignOut(async (browser) => {
    const session = await accountSession({ headers: { cookie: browser.cookieHeader } });
    if (!session) return;
    await deps.accounts.endSession(session.sid);
    browser.setCookie(cookie(ACCOUNT_COOKIE, '', { maxAgeSeconds: 0, secure: secure() }));
  });

  app.post('/account/logout', async (request, reply) => {
    const session = await accountSession(request);
    const body = form(request);
    if (session && signer.checkCsrf(`account:${session.sid}`, one(body.csrf))) {
      // Both sessions end on the server, so a copy of either cookie is worth nothing afterwards: the account
      // page's, and the OAuth login session that would otherwise let an app's next request skip the sign-in.
      await deps.accounts.endSession(session.sid);
      await oauth.endBrowserSession(deps.issuer(), request.raw, reply.raw);
      reply.header('set-cookie', cookie(ACCOUNT_COOKIE, '', { maxAgeSeconds: 0, secure: secure() }));
    }
    return reply.redirect('/account', 303);
  });
}
