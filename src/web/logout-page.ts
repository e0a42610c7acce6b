import { html, SafeHtml } from './html.js';
import type { Messages } from './i18n.js';
import { page } from './layout.js';

/**
 * The sign-out confirmation an app's RP-initiated logout leads to. `form` is the OAuth server's own form (its
 * action and xsrf field, made by oidc-provider, not from user input); the buttons here submit it. Nothing
 * submits by itself: a page another site opens cannot sign the user out without a click.
 */
export function logoutPage(t: Messages, view: { form: string; signedIn: boolean }): string {
  const form = new SafeHtml(view.form);
  if (!view.signedIn) {
    return page(
      t,
      t.t('logout.notSignedIn'),
      html`<h1>${t.t('logout.notSignedIn')}</h1>
${form}
<div class="actions"><button type="submit" form="op.logoutForm" autofocus>${t.t('logout.continue')}</button></div>`,
    );
  }
  return page(
    t,
    t.t('logout.title'),
    html`<h1>${t.t('logout.title')}</h1>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${t.t('logout.signOut')}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.t('logout.stay')}</button>
</div>`,
  );
}

/** After the sign-out form: signed out, or (the user chose to stay) still signed in. */
export function logoutDonePage(t: Messages, signedOut: boolean): string {
  const title = t.t(signedOut ? 'logout.done' : 'logout.stayed');
  return page(
    t,
    title,
    html`<h1>${title}</h1>
<p>${t.t(signedOut ? 'logout.doneHint' : 'logout.stayedHint')}</p>`,
  );
}
