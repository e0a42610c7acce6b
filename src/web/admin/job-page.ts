import type { JobDetails } from '../../jobs/index.js';
import type { AuditRow, JobRow, JobRunRow } from '../../store/index.js';
import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { auditTable } from './audit-table.js';
import { adminPage, dateFormatter, formatBytes, stateBadge, type AdminFrame } from './layout.js';

export interface JobView {
  details: JobDetails;
  audit: AuditRow[];
  clientName: string;
  notice?: string;
  error?: string;
}

export function jobPage(t: Messages, frame: AdminFrame, view: JobView): string {
  const date = dateFormatter(t);
  const { job, parts, original, retries, runs } = view.details;
  const lineage = [original ?? job, ...retries].filter((j, i, all) => all.findIndex((o) => o.id === j.id) === i);
  const bytes = parts.reduce((sum, p) => sum + Number(p.size_bytes), 0);
  const window = job.start_time === null && job.end_time === null ? t.t('admin.job.allTime') : html`${date(job.start_time)} – ${date(job.end_time)}`;
  const action = (name: 'retry' | 'cancel', label: string, danger: boolean) => html`<form method="post" action="/admin/jobs/${job.id}/${name}" class="inline">
<input type="hidden" name="csrf" value="${frame.csrfToken}"><button type="submit"${danger ? html` class="danger"` : ''}>${label}</button></form>`;
  return adminPage(
    t,
    frame,
    t.t('admin.job.title', { id: job.id.slice(0, 12) }),
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${view.error ? html`<p class="error" role="alert" id="job-error">${view.error}</p>` : ''}
<div class="panel"><dl>
<dt>${t.t('admin.job.id')}</dt><dd><code>${job.id}</code></dd>
<dt>${t.t('admin.jobs.state')}</dt><dd>${stateBadge(t, job.state)}</dd>
<dt>${t.t('admin.jobs.user')}</dt><dd><a href="/admin/jobs?user=${encodeURIComponent(job.user_id)}">${job.user_id}</a></dd>
<dt>${t.t('admin.jobs.client')}</dt><dd>${view.clientName} <code>${job.client_id}</code></dd>
<dt>${t.t('admin.job.resources')}</dt><dd><ul class="compact">${(JSON.parse(job.resources) as string[]).map((r) => html`<li><code>${r}</code></li>`)}</ul></dd>
<dt>${t.t('admin.job.window')}</dt><dd>${window}</dd>
<dt>${t.t('admin.job.access')}</dt><dd>${t.t(`admin.accessType.${job.access_type}`)}</dd>
<dt>${t.t('admin.jobs.created')}</dt><dd>${date(job.created_at)}</dd>
<dt>${t.t('admin.jobs.finished')}</dt><dd>${date(job.finished_at)}</dd>
${job.failure_reason ? html`<dt>${t.t('admin.job.failure')}</dt><dd id="failure-reason">${job.failure_reason}</dd>` : ''}
<dt>${t.t('admin.job.archive')}</dt><dd>${parts.length === 0 ? '—' : t.t('admin.job.parts', { parts: parts.length, size: formatBytes(t, bytes) })}${job.archive_deleted_at ? html` · ${t.t('admin.job.deleted')} ${date(job.archive_deleted_at)}` : job.archive_expires_at ? html` · ${t.t('admin.job.expires')} ${date(job.archive_expires_at)}` : ''}</dd>
</dl>
<div class="actions">
${job.state === 'FAILED' ? action('retry', t.t('admin.job.retry'), false) : ''}
${job.state === 'IN_PROGRESS' ? action('cancel', t.t('admin.job.cancel'), true) : ''}
</div></div>
<h2 id="lineage">${t.t('admin.job.lineage')}</h2>
${lineage.length <= 1 ? html`<p class="muted">${t.t('admin.job.noLineage')}</p>` : html`<ol aria-labelledby="lineage">${lineage.map((j) => html`<li>${j.id === job.id ? html`<strong><code>${j.id.slice(0, 12)}</code></strong>` : html`<a href="/admin/jobs/${j.id}"><code>${j.id.slice(0, 12)}</code></a>`} ${stateBadge(t, j.state)} ${date(j.created_at)}${j.retry_of ? '' : html` <span class="muted">${t.t('admin.job.original')}</span>`}</li>`)}</ol>`}
<h2 id="runs">${t.t('admin.job.runs')}</h2>
${
  runs.length === 0
    ? html`<p class="muted">${t.t('admin.job.noRuns')}</p>`
    : html`<div class="table"><table aria-labelledby="runs" class="runs">
<thead><tr><th class="num">${t.t('admin.job.attempt')}</th><th>${t.t('admin.job.worker')}</th><th>${t.t('admin.job.started')}</th><th>${t.t('admin.job.ended')}</th><th>${t.t('admin.job.outcome')}</th><th class="num">${t.t('admin.job.records')}</th><th class="num">${t.t('admin.job.bytes')}</th></tr></thead>
<tbody>${runs.map(
        (
          r,
        ) => html`<tr data-attempt="${r.attempt}"><td class="num">${r.attempt}</td><td><code class="nowrap">${r.worker}</code></td><td>${date(r.started_at)}</td><td>${date(r.ended_at)}</td><td class="outcome">${runOutcome(t, job, r)}</td><td class="num">${r.records ?? '—'}</td><td class="num">${r.bytes === null ? '—' : formatBytes(t, r.bytes)}</td></tr>
${r.error ? html`<tr class="run-error" data-error-of="${r.attempt}"><td></td><td colspan="6"><small>${r.error}</small></td></tr>` : ''}`,
      )}</tbody>
</table></div>
<p class="muted">${t.t('admin.job.runsHint')}</p>`
}
<h2 id="trail">${t.t('admin.job.audit')}</h2>
${auditTable(t, view.audit, { showJob: false })}`,
  );
}

/** A run's outcome in words; an open run is running only while it is the job's current run. */
function runOutcome(t: Messages, job: JobRow, run: JobRunRow): string {
  if (run.outcome !== null) return t.t(`admin.run.${run.outcome}`);
  return t.t(job.state === 'IN_PROGRESS' && job.attempt === run.attempt ? 'admin.run.running' : 'admin.run.unknown');
}
