import { html, SafeHtml } from '../html.js';
import type { Messages } from '../i18n.js';

/** The console's sections, in the navigation's order; `emulator` only where the demo source runs. */
export type AdminSection = 'overview' | 'jobs' | 'users' | 'clients' | 'audit' | 'emulator';

export interface AdminFrame {
  operator: string;
  csrfToken: string;
  section: AdminSection;
  emulator: boolean;
}

/**
 * The console's own style, beside the end-user pages' (web/layout.ts) rather than in it: a wider column for
 * tables, which scroll sideways on a phone instead of squeezing. Inline, like every page's: no external assets.
 */
const STYLE = new SafeHtml(`
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.5;color:#1f2328;background:#f4f6f8}
body{margin:0}
header.bar{background:#0b3d91;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header.bar .brand{font-weight:700;margin-right:auto}
header.bar form{margin:0}
header.bar button{min-height:36px;padding:.3rem .8rem;background:transparent;border:1px solid #fff;color:#fff}
nav.sections{background:#fff;border-bottom:1px solid #d0d7de;overflow-x:auto;white-space:nowrap}
nav.sections a{display:inline-block;padding:.7rem .9rem;color:#0b57d0;text-decoration:none;font-weight:600;min-height:44px}
nav.sections a[aria-current=page]{color:#1f2328;border-bottom:3px solid #0b57d0}
main{max-width:80rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.muted{color:#57606a}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.5rem;z-index:1}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1rem;margin:0 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.75rem;margin:0 0 1rem;padding:0;list-style:none}
.cards li{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:.75rem}
.cards .value{display:block;font-size:1.5rem;font-weight:700}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}
figure{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:.75rem}
figcaption{font-weight:600;margin-bottom:.25rem}
svg{display:block;width:100%;height:auto}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:.85rem;margin:.25rem 0 0;padding:0;list-style:none}
.legend span{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.table{overflow-x:auto;background:#fff;border:1px solid #d0d7de;border-radius:10px}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;white-space:nowrap}
td.num,th.num{text-align:right}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem .75rem;align-items:flex-end;margin:0 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;font-weight:600}
input,select{font:inherit;padding:.45rem;border:1px solid #8c959f;border-radius:6px;min-height:40px;background:#fff}
.field{display:block;margin:.75rem 0}
.field span{display:block;font-weight:600;margin-bottom:.25rem}
.field input{width:100%}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
form.inline{display:inline}
button,.button{font:inherit;font-weight:600;min-height:40px;padding:.45rem 1rem;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#fff;color:#b3261e;border-color:#b3261e}
:focus-visible{outline:3px solid #fb8c00;outline-offset:2px}
.error{border:1px solid #b3261e;background:#fdecea;color:#8c1d18;border-radius:6px;padding:.6rem .8rem}
.notice{border:1px solid #1a7f37;background:#e6f4ea;color:#0f5323;border-radius:6px;padding:.6rem .8rem}
.secret{font-family:ui-monospace,monospace;word-break:break-all;background:#fff8c5;padding:.2rem .4rem}
dl{margin:.25rem 0;display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}
dd{margin:0;min-width:0}
code{font-size:.85rem;color:#57606a;word-break:break-all}
time,code.nowrap{white-space:nowrap;word-break:normal}
td strong{white-space:nowrap}
td.detail{min-width:12rem}
tr:has(+ tr.run-error) td{border-bottom:0}
tr.run-error td{padding-top:0;color:#8c1d18;word-break:break-word}
ul.compact{margin:0;padding-left:1.1rem}
.state{display:inline-block;padding:0 .5rem;border-radius:999px;border:1px solid #8c959f;font-size:.8rem;font-weight:600;white-space:nowrap}
.state-complete{border-color:#1a7f37;color:#0f5323;background:#e6f4ea}
.state-failed{border-color:#b3261e;color:#8c1d18;background:#fdecea}
.state-in_progress{border-color:#0b57d0;color:#0b3d91;background:#e8f0fe}
.state-cancelled{border-color:#6e7781;color:#424a53;background:#f6f8fa}
.signin{max-width:26rem;margin:2rem auto}
@media (max-width:40rem){main{padding:.6rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}.panel{padding:.75rem}svg{overflow:visible}svg text{font-size:17px}
/* Long codes break anywhere, which lets a column shrink to one character in a table wider than a phone: a
   column of a few letters stretched every row into a tall, empty-looking box. */
td.detail{min-width:16rem}}
`);

function head(t: Messages, title: string): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${title} – ${t.t('admin.brand')}</title>
<style>${STYLE}</style>
</head>`;
}

const SECTIONS: readonly { id: AdminSection; href: string }[] = [
  { id: 'overview', href: '/admin' },
  { id: 'jobs', href: '/admin/jobs' },
  { id: 'users', href: '/admin/users' },
  { id: 'clients', href: '/admin/clients' },
  { id: 'audit', href: '/admin/audit' },
  { id: 'emulator', href: '/admin/emulator' },
];

/** A console page for a signed-in operator: the bar (who, sign out), the sections, then `body`. */
export function adminPage(t: Messages, frame: AdminFrame, title: string, body: SafeHtml): string {
  const sections = SECTIONS.filter((s) => s.id !== 'emulator' || frame.emulator);
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
${head(t, title)}
<body>
<a class="skip" href="#main">${t.t('skipToContent')}</a>
<header class="bar"><span class="brand">${t.t('admin.brand')}</span>
<span>${t.t('admin.signedInAs', { operator: frame.operator })}</span>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${frame.csrfToken}"><button type="submit">${t.t('admin.signOut')}</button></form>
</header>
<nav class="sections" aria-label="${t.t('admin.sections')}">${sections.map((s) => html`<a href="${s.href}"${s.id === frame.section ? html` aria-current="page"` : ''}>${t.t(`admin.nav.${s.id}`)}</a>`)}</nav>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}

/** A console page for someone not signed in (the sign-in form, errors before sign-in). */
export function adminBarePage(t: Messages, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
${head(t, title)}
<body>
<header class="bar"><span class="brand">${t.t('admin.brand')}</span></header>
<main id="main" class="signin"><div class="panel">
<h1>${title}</h1>
${body}
</div></main>
</body>
</html>`.value;
}

/** Dates in the page's language, in UTC; one formatter per page. */
export function dateFormatter(t: Messages): (ms: number | null | undefined) => SafeHtml | string {
  const format = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
  return (ms) => (ms === null || ms === undefined ? '—' : html`<time datetime="${new Date(ms).toISOString()}">${format.format(ms)} UTC</time>`);
}

/** `1.5 MiB`, with the page language's decimal mark. */
export function formatBytes(t: Messages, bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(t.lang, { maximumFractionDigits: i === 0 || n >= 10 ? 0 : 1 }).format(n)} ${units[i]}`;
}

/** `850 ms`, `12.4 s`, `3 min`: a job's duration. */
export function formatMs(t: Messages, ms: number): string {
  const number = (n: number, digits: number) => new Intl.NumberFormat(t.lang, { maximumFractionDigits: digits }).format(n);
  if (ms < 1000) return `${number(ms, 0)} ms`;
  if (ms < 120_000) return `${number(ms / 1000, 1)} s`;
  if (ms < 7_200_000) return `${number(ms / 60_000, 1)} min`;
  return `${number(ms / 3_600_000, 1)} h`;
}

export function stateBadge(t: Messages, state: string): SafeHtml {
  return html`<span class="state state-${state.toLowerCase()}">${t.t(`state.${state}`)}</span>`;
}
