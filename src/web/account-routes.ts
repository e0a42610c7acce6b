import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountPage } from './account-page.js';
import { errorPage } from './layout.js';
import { ACCOUNT_COOKIE, type PageContext } from './page-context.js';
import { cookie, readCookie } from './signed-values.js';
import { signInPage, type SignInView } from './sign-in-page.js';

/**
 * A random value the account page's sign-in form is bound to before anyone signs in: its CSRF token is an HMAC
 * of it, so a token one visitor got is worthless in another's browser (login CSRF: signing a victim in as the
 * attacker). The OAuth sign-in needs none: its token is bound to the interaction, whose cookie is the browser's own.
 */
const PRE_SESSION_COOKIE = 'dp_presession';
/** Long enough to fill the form after lunch; a stale page is answered with a fresh one. */
const PRE_SESSION_MS = 12 * 3_600_000;

/** The user's account page: sign-in, the apps with access and their exports, removing an app, signing out. */
export function accountRoutes(app: FastifyInstance, page: PageContext): void {
  const {
    deps,
    oauth,
    signer,
    secure,
    language,
    html,
    form,
    one,
    startAccountSession,
    accountSession,
    upstreamLink,
    signInRefused,
    describeGroup,
    clientName,
  } = page;

  /** This browser's pre-session value; a new one (and its cookie) when it has none. */
  function preSession(request: FastifyRequest, reply: FastifyReply): string {
    const existing = readCookie(request.headers.cookie, PRE_SESSION_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
    const value = signer.newId();
    reply.header('set-cookie', cookie(PRE_SESSION_COOKIE, value, { maxAgeSeconds: PRE_SESSION_MS / 1000, path: '/account', secure: secure() }));
    return value;
  }

  const accountLoginCsrf = (preSessionValue: string) => `account-login:${preSessionValue}`;

  /** The sign-in page of the account page, its CSRF token bound to this browser's pre-session cookie. */
  function accountSignInView(request: FastifyRequest, reply: FastifyReply): SignInView {
    const csrfToken = signer.csrfToken(accountLoginCsrf(preSession(request, reply)));
    return { action: '/account/login', csrfToken, ...upstreamLink('/account/upstream') };
  }

  app.get<{ Querystring: { revoked?: string } }>('/account', async (request, reply) => {
    const t = language(request);
    const session = await accountSession(request);
    if (!session) return html(reply, signInPage(t, accountSignInView(request, reply)));
    const [apps, exports, activity] = await Promise.all([
      deps.overview.listApps(session.sub),
      deps.overview.listExports(session.sub),
      deps.overview.listActivity(session.sub),
    ]);
    const revoked = request.query.revoked;
    return html(
      reply,
      accountPage(t, {
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
      }),
    );
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
