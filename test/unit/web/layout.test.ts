import { describe, expect, it } from 'vitest';
import { page } from '../../../src/web/layout.js';
import { html } from '../../../src/web/html.js';
import { loadLocales } from '../../../src/web/index.js';

describe('page layout', () => {
  it('embeds the stylesheet verbatim (quoted font names are not HTML-escaped inside <style>)', () => {
    const t = loadLocales().pick('en', undefined);
    const out = page(t, 'Title <x>', html`<p>${'<b>'}</p>`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(out)![1]!;
    expect(style).toContain('"Segoe UI"');
    expect(style).not.toContain('&quot;');
    // Everything else interpolated is still escaped.
    expect(out).toContain('<title>Title &lt;x&gt;');
    expect(out).toContain('<p>&lt;b&gt;</p>');
  });
});
