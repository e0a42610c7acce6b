import type { AccessMode } from '../store/index.js';
import { html } from './html.js';
import type { Messages } from './i18n.js';
import { page } from './layout.js';

export interface AccountView {
  userId: string;
  csrfToken: string;
  notice?: string;
  apps: { clientId: string; clientName: string; groups: { name: string; description: string }[]; access: AccessMode; expiresAt: number | null }[];
  /** Newest first; groups carry their description in this language, the bare name as secondary text. */
  exports: { clientName: string; createdAt: number; groups: { name: string; description: string }[]; state: string; downloadedAt: number | null }[];
  /** The user's audit entries, newest first. */
  activity: { at: number; action: string; clientName: string; jobId: string | null; ip: string | null; range?: string }[];
}

/** Dates in the page's language, in UTC; one formatter per page, not one per date (they are costly to build). */
function dateFormatter(t: Messages): (ms: number) => string {
  const format = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (ms) => `${format.format(ms)} UTC`;
}

export function accountPage(t: Messages, view: AccountView): string {
  const formatDate = dateFormatter(t);
  return page(
    t,
    t.t('account.title'),
    html`<h1>${t.t('account.title')}</h1>
<p class="muted">${t.t('account.signedInAs', { user: view.userId })}</p>
<form method="post" action="/account/logout"><input type="hidden" name="csrf" value="${view.csrfToken}"><button class="secondary" type="submit">${t.t('account.signOut')}</button></form>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
<h2 id="apps">${t.t('account.apps')}</h2>
${
  view.apps.length === 0
    ? html`<p>${t.t('account.noApps')}</p>`
    : html`<ul class="plain" aria-labelledby="apps">
${view.apps.map(
  (app) => html`<li class="app"><h3>${app.clientName}</h3>
<dl>
<dt>${t.t('account.access')}</dt><dd>${t.t(`access.${app.access}`)}</dd>
<dt>${t.t('account.expires')}</dt><dd>${app.expiresAt === null ? t.t('account.expiresOnce') : formatDate(app.expiresAt)}</dd>
<dt>${t.t('account.groups')}</dt><dd><ul class="groups">${app.groups.map((g) => html`<li>${g.description} <code>${g.name}</code></li>`)}</ul></dd>
</dl>
<form method="post" action="/account/revoke">
<input type="hidden" name="csrf" value="${view.csrfToken}">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="danger">${t.t('account.revoke', { client: app.clientName })}</button>
</form></li>`,
)}
</ul>`
}
<h2 id="history">${t.t('account.history')}</h2>
${
  view.exports.length === 0
    ? html`<p>${t.t('account.noHistory')}</p>`
    : html`<ol class="plain history" aria-labelledby="history">
${view.exports.map(
  (e) => html`<li class="export"><h3>${e.clientName}</h3>
<dl>
<dt>${t.t('account.when')}</dt><dd><time datetime="${new Date(e.createdAt).toISOString()}">${formatDate(e.createdAt)}</time></dd>
<dt>${t.t('account.what')}</dt><dd><ul class="groups">${e.groups.map((g) => html`<li>${g.description} <code>${g.name}</code></li>`)}</ul></dd>
<dt>${t.t('account.state')}</dt><dd><span class="state state-${e.state.toLowerCase()}">${t.t(`state.${e.state}`)}</span></dd>
<dt>${t.t('account.download')}</dt><dd>${e.downloadedAt === null ? t.t('account.notDownloaded') : html`<time datetime="${new Date(e.downloadedAt).toISOString()}">${formatDate(e.downloadedAt)}</time>`}</dd>
</dl></li>`,
)}
</ol>`
}
<h2 id="activity">${t.t('account.activity')}</h2>
${
  view.activity.length === 0
    ? html`<p>${t.t('account.noActivity')}</p>`
    : html`<ol class="plain activity" aria-labelledby="activity">
${view.activity.map(
  (a) => html`<li class="audit audit-${a.action.replace('.', '-')}"><time datetime="${new Date(a.at).toISOString()}">${formatDate(a.at)}</time>
<strong>${a.clientName}</strong> ${t.t(`audit.${a.action}`, { range: a.range ?? '' })}${a.jobId ? html` <code>${a.jobId.slice(0, 12)}</code>` : ''}${a.ip ? html` <span class="muted">${t.t('account.activityFrom', { ip: a.ip })}</span>` : ''}</li>`,
)}
</ol>`
}`,
  );
}
