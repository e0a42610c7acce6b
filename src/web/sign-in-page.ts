import { html } from './html.js';
import type { Messages } from './i18n.js';
import { page } from './layout.js';

export interface SignInView {
  /** The app asking, when signing in for a consent; absent on the account page. */
  clientName?: string;
  action: string;
  csrfToken: string;
  userId?: string;
  error?: string;
  /** Link that starts sign-in at the operator's OpenID Connect provider, with its display name. */
  upstream?: { href: string; name: string };
}

export function signInPage(t: Messages, view: SignInView): string {
  const intro = view.clientName ? t.t('signIn.intro', { client: view.clientName }) : t.t('signIn.accountIntro');
  return page(
    t,
    t.t('signIn.title'),
    html`<h1>${t.t('signIn.title')}</h1>
<p>${intro}</p>
${view.error ? html`<p class="error" role="alert" id="sign-in-error">${view.error}</p>` : ''}
<form method="post" action="${view.action}" novalidate>
<input type="hidden" name="csrf" value="${view.csrfToken}">
<label class="field"><span>${t.t('signIn.user')}</span>
<input type="text" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${view.userId ?? ''}"${view.userId ? '' : ' autofocus'}${view.error ? ' aria-describedby="sign-in-error"' : ''}></label>
<label class="field"><span>${t.t('signIn.password')}</span>
<input type="password" name="password" autocomplete="current-password" required${view.userId ? ' autofocus' : ''}></label>
<div class="actions"><button type="submit">${t.t('signIn.submit')}</button></div>
</form>
${
  view.upstream
    ? html`<p class="muted">${t.t('signIn.or')}</p>
<p><a class="button secondary" href="${view.upstream.href}">${t.t('signIn.upstream', { provider: view.upstream.name })}</a></p>`
    : ''
}`,
  );
}
