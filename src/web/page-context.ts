import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog } from '../catalog/index.js';
import type { AccountOverview, AccountService, ClientService, OauthServer, SignInResult, TokenService, UpstreamSignIn } from '../auth/index.js';
import type { Metrics } from '../metrics/types.js';
import type { AdminDeps } from './admin/routes.js';
import type { Locales, Messages } from './i18n.js';
import { errorPage } from './layout.js';
import { cookie, readCookie, type Signer } from './signed-values.js';
import { signInPage, type SignInView } from './sign-in-page.js';

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

export const ACCOUNT_COOKIE = 'dp_account';
/** The account page session; short, because it can remove apps' access. */
const ACCOUNT_SESSION_MS = 8 * 3_600_000;

export type Form = Record<string, string | string[] | undefined>;
export type Params = { uid: string };
export type Interaction = Awaited<ReturnType<OauthServer['interactionDetails']>>;

/**
 * What the pages' routes share: the page's language, HTML replies and form fields, the OAuth interaction in the
 * URL, the account page session, the sign-in page's parts, and how groups and apps are named.
 */
export function createPageContext(deps: WebDeps) {
  const { oauth, signer, locales } = deps;
  const secure = () => deps.issuer().startsWith('https:');

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
  /** The sign-in page's link to the upstream provider, spread into its view; nothing when none is configured. */
  function upstreamLink(href: string): Pick<SignInView, 'upstream'> {
    return deps.upstream ? { upstream: { href, name: deps.upstream.displayName } } : {};
  }

  /** The sign-in page again after a refused sign-in: 401, or 429 with Retry-After when the sign-in is throttled. */
  function signInRefused(reply: FastifyReply, t: Messages, result: Exclude<SignInResult, { ok: true }>, view: SignInView) {
    deps.metrics.signInFailure(result.reason);
    if (result.reason === 'throttled') reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
    const error =
      result.reason !== 'throttled'
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

  return {
    deps,
    oauth,
    signer,
    secure,
    language,
    html,
    form,
    one,
    interaction,
    startAccountSession,
    accountSession,
    upstreamLink,
    signInRefused,
    describeGroup,
    clientName,
  };
}

export type PageContext = ReturnType<typeof createPageContext>;
