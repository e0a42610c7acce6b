import type { JobRow } from '../../store/index.js';
import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { adminPage, dateFormatter, stateBadge, type AdminFrame } from './layout.js';

export interface JobsFilterView {
  state?: string | undefined;
  user?: string | undefined;
  client?: string | undefined;
  group?: string | undefined;
  /** `YYYY-MM-DD`, UTC. */
  from?: string | undefined;
  to?: string | undefined;
}

export const JOB_LIST_LIMIT = 200;

export function jobsPage(t: Messages, frame: AdminFrame, view: { filter: JobsFilterView; jobs: JobRow[]; states: readonly string[]; error?: string }): string {
  const date = dateFormatter(t);
  const f = view.filter;
  return adminPage(
    t,
    frame,
    t.t('admin.jobs.title'),
    html`<form class="filters" method="get" action="/admin/jobs" role="search">
<label>${t.t('admin.jobs.state')}<select name="state"><option value="">${t.t('admin.any')}</option>${view.states.map((s) => html`<option value="${s}"${f.state === s ? ' selected' : ''}>${t.t(`state.${s}`)}</option>`)}</select></label>
<label>${t.t('admin.jobs.user')}<input type="text" name="user" value="${f.user ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.jobs.client')}<input type="text" name="client" value="${f.client ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.jobs.group')}<input type="text" name="group" value="${f.group ?? ''}" autocapitalize="none" spellcheck="false"></label>
<label>${t.t('admin.from')}<input type="date" name="from" value="${f.from ?? ''}"></label>
<label>${t.t('admin.to')}<input type="date" name="to" value="${f.to ?? ''}"></label>
<button type="submit">${t.t('admin.filter')}</button>
</form>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${
  view.jobs.length === 0
    ? html`<p>${t.t('admin.jobs.none')}</p>`
    : html`<div class="table"><table>
<thead><tr><th>${t.t('admin.jobs.job')}</th><th>${t.t('admin.jobs.state')}</th><th>${t.t('admin.jobs.user')}</th><th>${t.t('admin.jobs.client')}</th><th>${t.t('admin.jobs.groups')}</th><th>${t.t('admin.jobs.created')}</th><th>${t.t('admin.jobs.finished')}</th></tr></thead>
<tbody>${view.jobs.map(
        (
          j,
        ) => html`<tr><td><a href="/admin/jobs/${j.id}"><code>${j.id.slice(0, 12)}</code></a>${j.retry_of ? html` <span class="muted">${t.t('admin.jobs.retry')}</span>` : ''}</td>
<td>${stateBadge(t, j.state)}</td><td>${j.user_id}</td><td><code>${j.client_id}</code></td><td>${(JSON.parse(j.resources) as string[]).join(', ')}</td><td>${date(j.created_at)}</td><td>${date(j.finished_at)}</td></tr>`,
      )}</tbody>
</table></div>
${view.jobs.length >= JOB_LIST_LIMIT ? html`<p class="muted">${t.t('admin.jobs.limited', { limit: JOB_LIST_LIMIT })}</p>` : ''}`
}`,
  );
}
