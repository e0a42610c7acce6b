import { ACCESS_MODES } from '../auth/index.js';
import type { AccessMode } from '../store/index.js';
import { html } from './html.js';
import type { Messages } from './i18n.js';
import { page } from './layout.js';

export interface ConsentView {
  clientName: string;
  userId: string;
  action: string;
  csrfToken: string;
  /** `retired`: Google no longer offers the group; the page says so beside it. */
  groups: { name: string; description: string; checked: boolean; retired?: boolean }[];
  access: AccessMode;
  error?: string;
}

export function consentPage(t: Messages, view: ConsentView): string {
  const client = view.clientName;
  return page(
    t,
    t.t('consent.title', { client }),
    html`<h1>${t.t('consent.title', { client })}</h1>
<p class="muted">${t.t('consent.signedInAs', { user: view.userId })}</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
<input type="hidden" name="csrf" value="${view.csrfToken}">
<fieldset aria-describedby="groups-hint">
<legend>${t.t('consent.groupsLegend', { client })}</legend>
<p class="hint" id="groups-hint">${t.t('consent.groupsHint')}</p>
${view.groups.map(
  (g) => html`<label class="choice"><input type="checkbox" name="group" value="${g.name}"${g.checked ? ' checked' : ''}>
<span>${g.description}<code class="hint">${g.name}</code>${g.retired ? html`<span class="hint retired">${t.t('consent.retired')}</span>` : ''}</span></label>`,
)}
</fieldset>
<fieldset>
<legend>${t.t('consent.accessLegend')}</legend>
${ACCESS_MODES.map(
  (a) => html`<label class="choice"><input type="radio" name="access" value="${a}"${view.access === a ? ' checked' : ''} aria-describedby="access-${a}-hint">
<span>${t.t(`access.${a}`)}<span class="hint" id="access-${a}-hint">${t.t(`access.${a}Hint`)}</span></span></label>`,
)}
</fieldset>
<p class="muted">${t.t('consent.revokeHint')}</p>
<div class="actions">
<button type="submit" name="decision" value="allow">${t.t('consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.t('consent.deny')}</button>
</div>
</form>`,
  );
}
