import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Message catalogs: one JSON file per language in `locales/` (`en.json`, `tr.json`, ...). Adding a language is
 * adding a file; a missing message falls back to English, a missing group description to the catalog's own.
 */
interface LocaleFile {
  language: { name: string; dir?: 'ltr' | 'rtl' };
  messages: Record<string, string>;
  groups?: Record<string, string>;
}

export interface Messages {
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  t(key: string, vars?: Record<string, string | number>): string;
  /** A resource group's consent description in this language. */
  group(name: string, fallback: string): string;
}

export interface Locales {
  readonly languages: readonly string[];
  pick(hl: string | undefined, acceptLanguage: string | undefined): Messages;
}

const DEFAULT_LANGUAGE = 'en';
const DEFAULT_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

export function loadLocales(dir: string = DEFAULT_DIR): Locales {
  const files = new Map<string, LocaleFile>();
  for (const name of readdirSync(dir)) {
    const m = /^([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\.json$/i.exec(name);
    if (!m) continue;
    files.set(m[1]!.toLowerCase(), JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as LocaleFile);
  }
  const fallback = files.get(DEFAULT_LANGUAGE);
  if (!fallback) throw new Error(`locales: ${DEFAULT_LANGUAGE}.json is missing from ${dir}`);

  function messages(lang: string): Messages {
    const file = files.get(lang)!;
    return {
      lang,
      dir: file.language.dir ?? 'ltr',
      t(key, vars = {}) {
        const template = file.messages[key] ?? fallback!.messages[key] ?? key;
        return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
      },
      group(name, fallbackText) {
        return file.groups?.[name] ?? fallback!.groups?.[name] ?? fallbackText;
      },
    };
  }

  /** `tr`, `tr-TR` and `TR` all find tr.json; a regional file (pt-br.json) wins over its base language. */
  function match(tag: string): string | undefined {
    const lower = tag.trim().toLowerCase();
    if (files.has(lower)) return lower;
    const base = lower.split('-')[0]!;
    return files.has(base) ? base : undefined;
  }

  return {
    languages: [...files.keys()].sort(),
    pick(hl, acceptLanguage) {
      const fromHl = hl ? match(hl) : undefined;
      if (fromHl) return messages(fromHl);
      for (const tag of parseAcceptLanguage(acceptLanguage ?? '')) {
        const found = match(tag);
        if (found) return messages(found);
      }
      return messages(DEFAULT_LANGUAGE);
    },
  };
}

/** Language tags from an Accept-Language header, best first (RFC 9110 12.5.4); q=0 means "not this one". */
function parseAcceptLanguage(header: string): string[] {
  return header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag!.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}
