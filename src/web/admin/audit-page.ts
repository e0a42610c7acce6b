import type { AuditRow } from '../../store/index.js';
import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { auditTable } from './audit-table.js';
import { adminPage, type AdminFrame } from './layout.js';

export interface AuditFilterView {
  action?: string | undefined;
  user?: string | undefined;
  client?: string | undefined;
  operator?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export const AUDIT_PAGE_LIMIT = 300;

export function auditPage(
  t: Messages,
  frame: AdminFrame,
  view: { filter: AuditFilterView; actions: readonly string[]; rows: AuditRow[]; error?: string },
): string {
  const f = view.filter;
  return adminPage(
    t,
    frame,
    t.t('admin.audit.title'),
    html`<form class="filters" method="get" action="/admin/audit" role="search">
<label>${t.t('admin.audit.action')}<select name="action"><option value="">${t.t('admin.any')}</option>${view.actions.map((a) => html`<option value="${a}"${f.action === a ? ' selected' : ''}>${a}</option>`)}</select></label>
<label>${t.t('admin.jobs.user')}<input type="text" name="user" value="${f.user ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.jobs.client')}<input type="text" name="client" value="${f.client ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.audit.operator')}<input type="text" name="operator" value="${f.operator ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.from')}<input type="date" name="from" value="${f.from ?? ''}"></label>
<label>${t.t('admin.to')}<input type="date" name="to" value="${f.to ?? ''}"></label>
<button type="submit">${t.t('admin.filter')}</button>
</form>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${auditTable(t, view.rows, { showJob: true })}
${view.rows.length >= AUDIT_PAGE_LIMIT ? html`<p class="muted">${t.t('admin.audit.limited', { limit: AUDIT_PAGE_LIMIT })}</p>` : ''}`,
  );
}
