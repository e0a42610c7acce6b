import { html, SafeHtml } from './html.js';
import type { Messages } from './i18n.js';

/**
 * Inline styles only (no external assets): system fonts, one column that fits a phone, visible focus rings,
 * 44px touch targets and colours with at least 4.5:1 contrast.
 */
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.5;color:#1f2328;background:#f4f6f8}
body{margin:0;padding:1rem}
main{max-width:40rem;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:1.5rem}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 .5rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
.brand{font-weight:700;color:#0b57d0;margin:0 0 1rem;font-size:1rem}
.muted{color:#57606a}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
fieldset{border:1px solid #d0d7de;border-radius:8px;margin:1rem 0;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.6rem 0;min-height:44px;cursor:pointer}
label.choice+label.choice{border-top:1px solid #eaeef2}
label.choice input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;flex:none}
.hint{display:block;color:#57606a;font-size:.9rem}
.field{display:block;margin:.75rem 0}
.field span{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=password]{width:100%;font:inherit;padding:.6rem;border:1px solid #8c959f;border-radius:6px;min-height:44px}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}
button,.button{font:inherit;font-weight:600;min-height:44px;padding:.55rem 1.25rem;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#fff;color:#b3261e;border-color:#b3261e}
:focus-visible{outline:3px solid #fb8c00;outline-offset:2px}
.error{border:1px solid #b3261e;background:#fdecea;color:#8c1d18;border-radius:6px;padding:.6rem .8rem}
.notice{border:1px solid #1a7f37;background:#e6f4ea;color:#0f5323;border-radius:6px;padding:.6rem .8rem}
ul.plain,ol.plain{list-style:none;padding:0;margin:0}
.app{border:1px solid #d0d7de;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.app h3{margin:0 0 .25rem;font-size:1rem}
ul.groups{margin:0;padding-left:1.1rem}
ul.groups code{display:block;font-size:.8rem}
.export{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;margin:.6rem 0;font-size:.95rem}
.export h3{margin:0 0 .25rem;font-size:1rem}
time{white-space:nowrap}
.state{display:inline-block;padding:0 .5rem;border-radius:999px;border:1px solid #8c959f;font-size:.85rem;font-weight:600}
.state-complete{border-color:#1a7f37;color:#0f5323;background:#e6f4ea}
.state-failed{border-color:#b3261e;color:#8c1d18;background:#fdecea}
.state-in_progress{border-color:#0b57d0;color:#0b3d91;background:#e8f0fe}
dl{margin:.25rem 0;display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem}
dt{font-weight:600}
dd{margin:0}
code{font-size:.85rem;color:#57606a;word-break:break-all}
@media (max-width:30rem){body{padding:0}main{border:0;border-radius:0;padding:1rem}.actions button{flex:1}.app,.export{padding:.6rem .75rem}}
`;

// Our own constant CSS, not user input: embedded as is (escaping would turn its quotes into &quot;, which
// CSS does not decode, and the browser would drop the font-family declaration).
const STYLESHEET = new SafeHtml(STYLE);

export function page(t: Messages, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} – ${t.t('brand')}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<a class="skip" href="#main">${t.t('skipToContent')}</a>
<main id="main">
<p class="brand">${t.t('brand')}</p>
${body}
</main>
</body>
</html>`.value;
}

export function errorPage(t: Messages, message: string, backHref?: string): string {
  return page(
    t,
    t.t('error.title'),
    html`<h1>${t.t('error.title')}</h1>
<p role="alert">${message}</p>
${backHref ? html`<p><a class="button secondary" href="${backHref}">${t.t('error.back')}</a></p>` : ''}`,
  );
}
