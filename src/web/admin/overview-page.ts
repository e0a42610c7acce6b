import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { barChart, hBarChart } from './charts.js';
import { adminPage, formatBytes, formatMs, type AdminFrame } from './layout.js';

export interface OverviewView {
  inProgress: number;
  queueDepth: number;
  /** Jobs a worker holds now, and how many distinct workers hold them. */
  busyJobs: number;
  busyWorkers: number;
  storedBytes: number;
  /** Per UTC day, oldest first. */
  days: { label: string; complete: number; failed: number; cancelled: number; bytes: number }[];
  /** Of jobs completed in the window: from request to publication. */
  durations: { p50: number; p90: number; p99: number; count: number };
}

export function overviewPage(t: Messages, frame: AdminFrame, view: OverviewView): string {
  const integer = new Intl.NumberFormat(t.lang);
  const count = (n: number) => integer.format(Math.round(n));
  const exported = view.days.reduce((sum, d) => sum + d.bytes, 0);
  const card = (label: string, value: string, id: string) => html`<li id="${id}"><span class="muted">${label}</span><span class="value">${value}</span></li>`;
  return adminPage(
    t,
    frame,
    t.t('admin.overview.title'),
    html`<ul class="cards" aria-label="${t.t('admin.overview.now')}">
${card(t.t('admin.overview.inProgress'), count(view.inProgress), 'stat-in-progress')}
${card(t.t('admin.overview.queueDepth'), count(view.queueDepth), 'stat-queue')}
${card(t.t('admin.overview.busyWorkers'), t.t('admin.overview.busyValue', { workers: count(view.busyWorkers), jobs: count(view.busyJobs) }), 'stat-workers')}
${card(t.t('admin.overview.exported', { days: view.days.length }), formatBytes(t, exported), 'stat-exported')}
${card(t.t('admin.overview.stored'), formatBytes(t, view.storedBytes), 'stat-stored')}
</ul>
<div class="charts">
${barChart({
  caption: t.t('admin.overview.perDay', { days: view.days.length }),
  labels: view.days.map((d) => d.label),
  series: [
    { name: t.t('state.COMPLETE'), color: '#1a7f37', values: view.days.map((d) => d.complete) },
    { name: t.t('state.FAILED'), color: '#b3261e', values: view.days.map((d) => d.failed) },
    { name: t.t('state.CANCELLED'), color: '#8c959f', values: view.days.map((d) => d.cancelled) },
  ],
  format: count,
})}
${barChart({
  caption: t.t('admin.overview.bytesPerDay'),
  labels: view.days.map((d) => d.label),
  series: [{ name: t.t('admin.overview.bytes'), color: '#0b57d0', values: view.days.map((d) => d.bytes) }],
  format: (n) => formatBytes(t, n),
})}
${
  view.durations.count === 0
    ? html`<figure><figcaption>${t.t('admin.overview.durations', { count: 0 })}</figcaption><p class="muted">${t.t('admin.overview.noDurations')}</p></figure>`
    : hBarChart({
        caption: t.t('admin.overview.durations', { count: view.durations.count }),
        bars: [
          { label: 'p50', value: view.durations.p50 },
          { label: 'p90', value: view.durations.p90 },
          { label: 'p99', value: view.durations.p99 },
        ],
        color: '#8250df',
        format: (ms) => formatMs(t, ms),
      })
}
</div>`,
  );
}
