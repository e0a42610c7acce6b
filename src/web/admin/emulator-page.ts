import { html } from '../html.js';
import type { Messages } from '../i18n.js';
import { adminPage, type AdminFrame } from './layout.js';

export interface EmulatorView {
  /** The server's DATAPORT_DEMO_FAULTS (fixed while it runs). */
  configuredFaults: string;
  /** Rules set at run time, `group=rule:value`. */
  runtimeFaults: string[];
  offsetMs: number;
  offsetText: string;
  emulatedTime: number;
  notice?: string;
  error?: string;
}

/** The same controls as `dataport faults` and `dataport clock`, through the same emulator functions. */
export function emulatorPage(t: Messages, frame: AdminFrame, view: EmulatorView): string {
  const csrf = html`<input type="hidden" name="csrf" value="${frame.csrfToken}">`;
  const format = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
  return adminPage(
    t,
    frame,
    t.t('admin.emulator.title'),
    html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<h2 id="faults">${t.t('admin.emulator.faults')}</h2>
<div class="panel" aria-labelledby="faults">
<dl><dt>${t.t('admin.emulator.configured')}</dt><dd><code>${view.configuredFaults || t.t('admin.emulator.noneSet')}</code></dd>
<dt>${t.t('admin.emulator.runtime')}</dt><dd>${view.runtimeFaults.length === 0 ? t.t('admin.emulator.noneSet') : html`<ul class="compact">${view.runtimeFaults.map((r) => html`<li><code>${r}</code></li>`)}</ul>`}</dd></dl>
<form method="post" action="/admin/emulator/faults">${csrf}
<label class="field"><span>${t.t('admin.emulator.rules')}</span><input type="text" name="rules" autocapitalize="none" spellcheck="false" placeholder="maps.reviews=fail:1 chrome.history=slow:5000"></label>
<p class="muted">${t.t('admin.emulator.rulesHint')}</p>
<div class="actions"><button type="submit" name="do" value="set">${t.t('admin.emulator.set')}</button><button type="submit" name="do" value="clear" class="secondary">${t.t('admin.emulator.clear')}</button></div>
</form></div>
<h2 id="clock">${t.t('admin.emulator.clock')}</h2>
<div class="panel" aria-labelledby="clock">
<dl><dt>${t.t('admin.emulator.offset')}</dt><dd id="clock-offset">${view.offsetText}</dd>
<dt>${t.t('admin.emulator.emulatedTime')}</dt><dd>${format.format(view.emulatedTime)} UTC</dd></dl>
<form method="post" action="/admin/emulator/clock">${csrf}
<label class="field"><span>${t.t('admin.emulator.advanceBy')}</span><input type="text" name="by" autocapitalize="none" spellcheck="false" placeholder="24h"></label>
<div class="actions"><button type="submit" name="do" value="advance">${t.t('admin.emulator.advance')}</button><button type="submit" name="do" value="reset" class="secondary">${t.t('admin.emulator.reset')}</button></div>
</form></div>`,
  );
}
