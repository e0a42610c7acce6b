import { html } from './html.js';
import type { Messages } from './i18n.js';
import { page } from './layout.js';

export interface AccountView {
  userId: string;
  csrfToken: string;
  notice?: string;
  apps: { clientId: string; clientName: string; groups: { name: string; description: string }[]; access: 'once' | '30d' | '180d'; expiresAt: number | null }[];
  exports: { clientName: string; createdAt: number; groups: string[]; state: string; downloadedAt: number | null }[];
}

function formatDate(t: Messages, ms: number): string {
  return new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(ms) + ' UTC';
}

export function accountPage(t: Messages, view: AccountView): string {
  return page(t, t.t('account.title'), html`<h1>${t.t('account.title')}</h1>
<p class="muted">${t.t('account.signedInAs', { user: view.userId })}</p>
<form method="post" action="/account/logout"><input type="hidden" name="csrf" value="${view.csrfToken}"><button class="secondary" type="submit">${t.t('account.signOut')}</button></form>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
<h2 id="apps">${t.t('account.apps')}</h2>
${view.apps.length === 0 ? html`<p>${t.t('account.noApps')}</p>` : html`<ul class="plain" aria-labelledby="apps">
${view.apps.map((app) => html`<li class="app"><h3>${app.clientName}</h3>
<dl>
<dt>${t.t('account.access')}</dt><dd>${t.t(`access.${app.access}`)}</dd>
<dt>${t.t('account.expires')}</dt><dd>${app.expiresAt === null ? t.t('account.expiresOnce') : formatDate(t, app.expiresAt)}</dd>
<dt>${t.t('account.groups')}</dt><dd><ul>${app.groups.map((g) => html`<li>${g.description}</li>`)}</ul></dd>
</dl>
<form method="post" action="/account/revoke">
<input type="hidden" name="csrf" value="${view.csrfToken}">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="danger">${t.t('account.revoke', { client: app.clientName })}</button>
</form></li>`)}
</ul>`}
<h2 id="history">${t.t('account.history')}</h2>
${view.exports.length === 0 ? html`<p>${t.t('account.noHistory')}</p>` : html`<table aria-labelledby="history">
<thead><tr><th scope="col">${t.t('account.when')}</th><th scope="col">${t.t('account.app')}</th><th scope="col">${t.t('account.what')}</th><th scope="col">${t.t('account.state')}</th><th scope="col">${t.t('account.download')}</th></tr></thead>
<tbody>
${view.exports.map((e) => html`<tr><td>${formatDate(t, e.createdAt)}</td><td>${e.clientName}</td><td>${e.groups.join(', ')}</td><td>${t.t(`state.${e.state}`)}</td>
<td>${e.downloadedAt === null ? t.t('account.notDownloaded') : t.t('account.downloaded', { when: formatDate(t, e.downloadedAt) })}</td></tr>`)}
</tbody></table>`}`);
}
