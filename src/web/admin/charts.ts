import { html, type SafeHtml } from '../html.js';

export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

/**
 * A stacked bar chart as inline SVG: no script, no external asset, so it passes the pages' CSP and prints.
 * `labels` name the bars (days); `format` writes the axis's top value. The numbers are also in each bar's
 * <title> (a tooltip, and read by screen readers), and the figure names what it shows.
 */
export function barChart(options: { caption: string; labels: readonly string[]; series: readonly Series[]; format: (n: number) => string }): SafeHtml {
  const { labels, series } = options;
  const width = 640;
  const height = 220;
  const left = 56;
  const bottom = 28;
  const top = 10;
  const plotHeight = height - bottom - top;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = (width - left - 8) / Math.max(1, labels.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  // Every other label when they would crowd (14 days on a phone).
  const labelEvery = labels.length > 10 ? 2 : 1;
  const bars = labels.map((label, i) => {
    let base = 0;
    const x = left + i * slot + (slot - barWidth) / 2;
    const stack = series.map((s) => {
      const v = s.values[i] ?? 0;
      if (v === 0) return '';
      const rect = html`<rect x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${s.color}"><title>${label}: ${s.name} ${options.format(v)}</title></rect>`;
      base += v;
      return rect;
    });
    const text =
      i % labelEvery === 0
        ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#57606a">${label}</text>`
        : '';
    return html`<g>${stack}${text}</g>`;
  });
  return html`<figure><figcaption>${options.caption}</figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.caption}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top}" x2="${width - 4}" y2="${top}" stroke="#eaeef2"/>
<line x1="${left}" y1="${top + plotHeight / 2}" x2="${width - 4}" y2="${top + plotHeight / 2}" stroke="#eaeef2"/>
<line x1="${left}" y1="${top + plotHeight}" x2="${width - 4}" y2="${top + plotHeight}" stroke="#8c959f"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11" fill="#57606a">${options.format(max)}</text>
<text x="${left - 6}" y="${top + plotHeight / 2 + 4}" text-anchor="end" font-size="11" fill="#57606a">${options.format(max / 2)}</text>
<text x="${left - 6}" y="${top + plotHeight + 4}" text-anchor="end" font-size="11" fill="#57606a">0</text>
${bars}
</svg>
${series.length > 1 ? html`<ul class="legend">${series.map((s) => html`<li><span style="background:${s.color}"></span>${s.name}</li>`)}</ul>` : ''}
</figure>`;
}

/** Horizontal bars for a few named values (duration percentiles). */
export function hBarChart(options: {
  caption: string;
  bars: readonly { label: string; value: number }[];
  color: string;
  format: (n: number) => string;
}): SafeHtml {
  const width = 640;
  const rowHeight = 34;
  const left = 60;
  const right = 110;
  const height = options.bars.length * rowHeight + 8;
  const max = Math.max(1, ...options.bars.map((b) => b.value));
  return html`<figure><figcaption>${options.caption}</figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.caption}" xmlns="http://www.w3.org/2000/svg">
${options.bars.map((b, i) => {
  const w = ((width - left - right) * b.value) / max;
  const yTop = 4 + i * rowHeight;
  return html`<g><text x="${left - 8}" y="${yTop + 20}" text-anchor="end" font-size="13" fill="#1f2328">${b.label}</text>
<rect x="${left}" y="${yTop + 5}" width="${Math.max(1, w).toFixed(1)}" height="${rowHeight - 12}" rx="3" fill="${options.color}"><title>${b.label}: ${options.format(b.value)}</title></rect>
<text x="${(left + Math.max(1, w) + 6).toFixed(1)}" y="${yTop + 20}" font-size="13" fill="#1f2328">${options.format(b.value)}</text></g>`;
})}
</svg></figure>`;
}
