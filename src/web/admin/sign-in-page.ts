import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { adminBarePage } from './layout.js';

export interface AdminSignInView {
  csrfToken: string;
  operatorId?: string;
  error?: string;
  /** The upstream provider's name, when operators may sign in there (a configured group or claim). */
  upstream?: string;
}

/** The console's own sign-in: operator accounts, not end users'. */
export function adminSignInPage(t: Messages, view: AdminSignInView): string {
  return adminBarePage(
    t,
    t.t('admin.signIn.title'),
    html`<p>${t.t('admin.signIn.intro')}</p>
${view.error ? html`<p class="error" role="alert" id="sign-in-error">${view.error}</p>` : ''}
<form method="post" action="/admin/login" novalidate>
<input type="hidden" name="csrf" value="${view.csrfToken}">
<label class="field"><span>${t.t('admin.signIn.operator')}</span>
<input type="text" name="operator" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${view.operatorId ?? ''}"${view.error ? ' aria-describedby="sign-in-error"' : ''}></label>
<label class="field"><span>${t.t('signIn.password')}</span>
<input type="password" name="password" autocomplete="current-password" required></label>
<div class="actions"><button type="submit">${t.t('signIn.submit')}</button></div>
</form>
${
  view.upstream
    ? html`<p class="muted">${t.t('signIn.or')}</p>
<p><a class="button secondary" href="/admin/upstream">${t.t('signIn.upstream', { provider: view.upstream })}</a></p>`
    : ''
}`,
  );
}
