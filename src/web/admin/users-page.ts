import type { AccessMode } from '../../store/index.js';
import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { adminPage, dateFormatter, type AdminFrame } from './layout.js';

export interface UserView {
  id: string;
  /** A local password account (else known only by grants: upstream sign-in, `dataport token`). */
  password: boolean;
  grants: { clientId: string; clientName: string; groups: string[]; access: AccessMode; createdAt: number; expiresAt: number | null }[];
}

export function usersPage(t: Messages, frame: AdminFrame, view: { users: UserView[]; notice?: string }): string {
  const date = dateFormatter(t);
  return adminPage(
    t,
    frame,
    t.t('admin.users.title'),
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${
  view.users.length === 0
    ? html`<p>${t.t('admin.users.none')}</p>`
    : html`<div class="table"><table>
<thead><tr><th>${t.t('admin.jobs.user')}</th><th>${t.t('admin.jobs.client')}</th><th>${t.t('admin.jobs.groups')}</th><th>${t.t('admin.users.access')}</th><th>${t.t('admin.users.granted')}</th><th>${t.t('admin.users.expires')}</th><th></th></tr></thead>
<tbody>${view.users.map((u) =>
        u.grants.length === 0
          ? html`<tr><th scope="row">${u.id}</th><td colspan="6" class="muted">${t.t('admin.users.noGrants')}</td></tr>`
          : u.grants.map(
              (
                g,
                i,
              ) => html`<tr>${i === 0 ? html`<th scope="row" rowspan="${u.grants.length}">${u.id}<br><a href="/admin/jobs?user=${encodeURIComponent(u.id)}">${t.t('admin.users.jobs')}</a></th>` : ''}
<td>${g.clientName} <code>${g.clientId}</code></td><td>${g.groups.join(', ')}</td><td>${t.t(`access.${g.access}`)}</td><td>${date(g.createdAt)}</td><td>${g.expiresAt === null ? t.t('account.expiresOnce') : date(g.expiresAt)}</td>
<td><form method="post" action="/admin/users/revoke" class="inline"><input type="hidden" name="csrf" value="${frame.csrfToken}"><input type="hidden" name="user" value="${u.id}"><input type="hidden" name="client_id" value="${g.clientId}"><button type="submit" class="danger">${t.t('admin.users.revoke')}</button></form></td></tr>`,
            ),
      )}</tbody>
</table></div>`
}`,
  );
}
