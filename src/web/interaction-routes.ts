import type { FastifyInstance } from 'fastify';
import { ACCESS_MODES, ConsentError, INTERACTION_PATH } from '../auth/index.js';
import type { AccessMode } from '../store/index.js';
import { consentPage } from './consent-page.js';
import type { Messages } from './i18n.js';
import { errorPage } from './layout.js';
import type { Interaction, PageContext, Params } from './page-context.js';
import { signInPage, type SignInView } from './sign-in-page.js';

/** The OAuth interaction's pages: sign-in, then consent to the groups the app asks for. */
export function interactionRoutes(app: FastifyInstance, page: PageContext): void {
  const { deps, oauth, signer, language, html, form, one, interaction, startAccountSession, upstreamLink, signInRefused, describeGroup, clientName } = page;

  /** The sign-in page of an OAuth interaction: it names the app asking. */
  async function interactionSignInView(details: Interaction): Promise<SignInView> {
    return {
      clientName: await clientName(details.params.client_id),
      action: `${INTERACTION_PATH}/${details.uid}/login`,
      csrfToken: signer.csrfToken(`interaction:${details.uid}`),
      ...upstreamLink(`${INTERACTION_PATH}/${details.uid}/upstream`),
    };
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
}
