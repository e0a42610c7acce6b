import type { FastifyInstance, FastifyReply } from 'fastify';
import { AccountError, INTERACTION_PATH, UpstreamSignInError } from '../auth/index.js';
import { errorPage } from './layout.js';
import type { PageContext, Params } from './page-context.js';
import { cookie, readCookie } from './signed-values.js';

const UPSTREAM_COOKIE = 'dp_upstream';
const UPSTREAM_CALLBACK = '/oauth/upstream/callback';
/** Time to sign in at the upstream provider. */
const UPSTREAM_STATE_MS = 10 * 60_000;

/** Sign-in through the upstream OpenID Connect provider, for an OAuth interaction or for the account page. */
export function upstreamRoutes(app: FastifyInstance, page: PageContext): void {
  const { deps, oauth, signer, secure, language, html, interaction, startAccountSession } = page;

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
    const saved = signer.verify<{ state: string; nonce: string; codeVerifier: string; uid?: string }>(
      'upstream',
      readCookie(request.headers.cookie, UPSTREAM_COOKIE),
    );
    const failed = () => html(reply, errorPage(t, t.t('error.upstream', { provider: deps.upstream!.displayName })), 400);
    if (!saved || !request.query.code || request.query.state !== saved.state) return failed();
    let userId: string;
    try {
      const identity = await deps.upstream.complete({
        code: request.query.code,
        redirectUri: deps.issuer() + UPSTREAM_CALLBACK,
        nonce: saved.nonce,
        codeVerifier: saved.codeVerifier,
      });
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
}
