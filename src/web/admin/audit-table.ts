import type { AuditRow } from '../../store/index.js';
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n.js';
import { dateFormatter } from './layout.js';

/** Audit entries as a table (the audit page, a job's trail): newest first, as given. */
export function auditTable(t: Messages, rows: readonly AuditRow[], options: { showJob: boolean }): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${t.t('admin.audit.none')}</p>`;
  const date = dateFormatter(t);
  return html`<div class="table"><table class="audit">
<thead><tr><th class="num">#</th><th>${t.t('admin.audit.when')}</th><th>${t.t('admin.audit.action')}</th><th>${t.t('admin.audit.actor')}</th><th>${t.t('admin.jobs.user')}</th><th>${t.t('admin.jobs.client')}</th>${options.showJob ? html`<th>${t.t('admin.jobs.job')}</th>` : ''}<th>${t.t('admin.audit.detail')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td class="num">${r.seq}</td><td>${date(r.at)}</td><td><code class="nowrap">${r.action}</code></td><td>${r.actor}${r.operator ? html` <strong>${r.operator}</strong>` : ''}${r.ip ? html` <span class="muted">${r.ip}</span>` : ''}</td><td>${r.user_id ?? '—'}</td><td><code class="nowrap">${r.client_id ?? '—'}</code></td>${options.showJob ? html`<td>${r.job_id ? html`<a href="/admin/jobs/${r.job_id}"><code class="nowrap">${r.job_id.slice(0, 12)}</code></a>` : '—'}</td>` : ''}<td class="detail"><code>${r.detail === '{}' ? '' : r.detail}</code></td></tr>`)}</tbody>
</table></div>`;
}
