/**
 * Netscape bookmark files (`<!DOCTYPE NETSCAPE-Bookmark-file-1>`), the HTML Chrome exports bookmarks and
 * the reading list in. Written in chunks of many entries: one Uint8Array per entry would cost more than the
 * entry.
 */
import type { DemoFile } from './group-spec.js';
import type { Rng, TimelineWindow } from './timeline.js';

export interface BookmarkEntry {
  readonly url: string;
  readonly title: string;
}

const ENTRIES_PER_CHUNK = 256;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/**
 * One folder of bookmarks, newest first, added at the window's timestamps, as a bytes file. Dates are what
 * Chrome's bookmark export writes: `ADD_DATE`/`LAST_MODIFIED` in whole seconds since the Unix epoch.
 */
export function bookmarkFile(
  path: string,
  folder: string,
  window: TimelineWindow,
  /** Chrome marks its bookmarks bar folder `PERSONAL_TOOLBAR_FOLDER="true"`. */
  toolbar: boolean,
  make: (k: number, timeMs: number, rng: Rng) => BookmarkEntry,
): DemoFile {
  const encoder = new TextEncoder();
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const { timeline, newestK, count } = window;
  const newestMs = count > 0 ? timeline.timeOf(newestK) : 0;
  const oldestMs = count > 0 ? timeline.timeOf(newestK - count + 1) : 0;
  const chunks = function* (): Generator<Uint8Array, void, undefined> {
    yield encoder.encode(
      '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n' +
        '<!-- This is an automatically generated file.\n     It will be read and overwritten.\n     DO NOT EDIT! -->\n' +
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n' +
        '<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n' +
        `    <DT><H3 ADD_DATE="${seconds(oldestMs)}" LAST_MODIFIED="${seconds(newestMs)}"${toolbar ? ' PERSONAL_TOOLBAR_FOLDER="true"' : ''}>${escapeHtml(folder)}</H3>\n` +
        '    <DL><p>\n',
    );
    const lines: string[] = [];
    for (const line of window.map((k, ms, rng) => {
      const entry = make(k, ms, rng);
      return `        <DT><A HREF="${escapeHtml(entry.url)}" ADD_DATE="${seconds(ms)}">${escapeHtml(entry.title)}</A>\n`;
    })) {
      lines.push(line);
      if (lines.length === ENTRIES_PER_CHUNK) {
        yield encoder.encode(lines.join(''));
        lines.length = 0;
      }
    }
    if (lines.length > 0) yield encoder.encode(lines.join(''));
    yield encoder.encode('    </DL><p>\n</DL><p>\n');
  };
  return {
    kind: 'bytes',
    path,
    chunks: { [Symbol.iterator]: chunks },
    count: 2 + Math.ceil(count / ENTRIES_PER_CHUNK),
    records: count,
  };
}
