import type { RegisteredClient } from '../../auth/index.js';
import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { adminPage, type AdminFrame } from './layout.js';

export interface ClientsView {
  clients: RegisteredClient[];
  notice?: string;
  error?: string;
  /** A secret just made (added or rotated): shown once, here, and never again. */
  secret?: { clientId: string; secret: string };
}

export function clientsPage(t: Messages, frame: AdminFrame, view: ClientsView): string {
  const csrf = html`<input type="hidden" name="csrf" value="${frame.csrfToken}">`;
  return adminPage(
    t,
    frame,
    t.t('admin.clients.title'),
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${view.secret ? html`<div class="notice" role="status" id="new-secret"><p>${t.t('admin.clients.secretOnce', { client: view.secret.clientId })}</p><p class="secret">${view.secret.secret}</p></div>` : ''}
${
  view.clients.length === 0
    ? html`<p>${t.t('admin.clients.none')}</p>`
    : html`<div class="table"><table>
<thead><tr><th>${t.t('admin.clients.name')}</th><th>${t.t('admin.clients.id')}</th><th>${t.t('admin.clients.kind')}</th><th>${t.t('admin.clients.redirects')}</th><th></th></tr></thead>
<tbody>${view.clients.map(
        (
          c,
        ) => html`<tr><th scope="row">${c.name}</th><td><code>${c.client_id}</code></td><td>${t.t(c.public ? 'admin.clients.public' : 'admin.clients.confidential')}</td><td><ul class="compact">${c.redirect_uris.map((u) => html`<li><code>${u}</code></li>`)}</ul></td>
<td><div class="actions" style="margin:0">${c.public ? '' : html`<form method="post" action="/admin/clients/rotate" class="inline">${csrf}<input type="hidden" name="client_id" value="${c.client_id}"><button type="submit" class="secondary">${t.t('admin.clients.rotate')}</button></form>`}
<form method="post" action="/admin/clients/remove" class="inline">${csrf}<input type="hidden" name="client_id" value="${c.client_id}"><button type="submit" class="danger">${t.t('admin.clients.remove')}</button></form></div></td></tr>`,
      )}</tbody>
</table></div>`
}
<h2 id="add">${t.t('admin.clients.add')}</h2>
<form method="post" action="/admin/clients/add" class="panel" aria-labelledby="add">${csrf}
<label class="field"><span>${t.t('admin.clients.name')}</span><input type="text" name="name" required></label>
<label class="field"><span>${t.t('admin.clients.redirect')}</span><input type="text" name="redirect_uri" inputmode="url" autocapitalize="none" spellcheck="false" required placeholder="https://app.example/callback"></label>
<label><input type="checkbox" name="public" value="1"> ${t.t('admin.clients.publicHint')}</label>
<div class="actions"><button type="submit">${t.t('admin.clients.addButton')}</button></div>
</form>`,
  );
}
