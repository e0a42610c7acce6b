/** Chrome's groups, as Takeout writes its `Chrome/` folder. */
import { listFile, objectFile, csv, wrapped, type GroupContext, type GroupSpec } from './group-spec.js';
import { searchQuery, userProfile } from './entities.js';
import { bookmarkFile } from './netscape-bookmarks.js';
import { fnv1a32, makePool, mix32, Rng, type Pool, unixMicros, webkitMicros } from './timeline.js';
import { SITES } from './vocab.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const PAGE_TRANSITIONS = [
  ['LINK', 0.6],
  ['TYPED', 0.75],
  ['AUTO_BOOKMARK', 0.83],
  ['GENERATED', 0.89],
  ['RELOAD', 0.94],
  ['FORM_SUBMIT', 0.98],
  ['AUTO_TOPLEVEL', 1],
] as const;

function pageTransition(r: number): string {
  for (const [name, upTo] of PAGE_TRANSITIONS) if (r < upTo) return name;
  return 'LINK';
}

interface Page {
  readonly url: string;
  readonly title: string;
  readonly favicon: string;
}

function pagePool(seed: number, size: number): Pool<Page> {
  return makePool(seed, size, (rng) => {
    const site = rng.pick(SITES);
    const path = rng.pick(site.paths);
    const last = path.split('/').filter(Boolean).pop() ?? '';
    const topic = last.replace(/[-_]/g, ' ').replace(/\.html$/, '');
    return {
      url: `https://${site.host}${path}`,
      title: topic ? `${topic.charAt(0).toUpperCase()}${topic.slice(1)} - ${site.name}` : site.name,
      favicon: `https://${site.host}/favicon.ico`,
    };
  });
}

const history: GroupSpec = {
  spanDays: 14,
  shape: 'list',
  files(ctx: GroupContext) {
    const pages = pagePool(ctx.seed, 512);
    // A user syncs history from a laptop and a phone; each Chrome install has its own client id.
    // Its 16 random bytes in standard base64 (`+` and `/`, `==` padding), as Takeout writes `client_id`.
    const clients = makePool(ctx.userSeed ^ 0x636c6e74, 2, (rng) => `${rng.chars(BASE64, 21)}${rng.pick(['A', 'Q', 'g', 'w'])}==`);
    return [
      listFile(ctx, 'Chrome/History.json', wrapped('Browser History'), (_k, ms, rng) => {
        const page = pages.pick(rng);
        return {
          favicon_url: page.favicon,
          page_transition: pageTransition(rng.float()),
          title: page.title,
          url: page.url,
          client_id: clients.at(rng.int(10) < 7 ? 0 : 1),
          time_usec: unixMicros(ms, rng.int(1000)),
          ptoken: {},
        };
      }),
    ];
  },
};

/** A Netscape bookmark file of pages picked from the group's own pool: bookmarks and the reading list. */
function pageBookmarks(spanDays: number, path: string, folder: string, toolbar: boolean): GroupSpec {
  return {
    spanDays,
    shape: 'list',
    files(ctx: GroupContext) {
      const pages = pagePool(ctx.seed, 256);
      return [
        bookmarkFile(path, folder, ctx.window, toolbar, (_k, _ms, rng) => {
          const page = pages.pick(rng);
          return { url: page.url, title: page.title };
        }),
      ];
    },
  };
}

const bookmarks = pageBookmarks(5 * 365, 'Chrome/Bookmarks.html', 'Bookmarks bar', true);
const readingList = pageBookmarks(2 * 365, 'Chrome/Reading List.html', 'Reading list', false);

const autofill: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx: GroupContext) {
    const p = userProfile(ctx.userSeed);
    const fields: readonly (readonly [string, string])[] = [
      ['email', p.email],
      ['firstName', p.firstName],
      ['lastName', p.lastName],
      ['name', p.fullName],
      ['phone', p.phone],
      ['city', p.homeCity.name],
      ['postalCode', p.homeCity.postcode],
      ['address', `${p.homeCity.streets[0]} ${1 + (ctx.userSeed % 120)}`],
      ['country', p.homeCity.country],
      ['company', 'Dataport Demo B.V.'],
    ];
    const rng = new Rng(mix32(ctx.seed, 0x70726f66));
    const street = `${p.homeCity.streets[0]} ${1 + (ctx.userSeed % 120)}`;
    const used = unixSeconds(Math.max(p.createdMs, ctx.nowMs - rng.int(90) * 86_400_000));
    // The file's other sections: saved addresses (`Autofill Profile`) and contact details (`Contact Info`).
    const profile = {
      guid: uuid(rng),
      name_full: [p.fullName],
      name_first: [p.firstName],
      name_middle: [''],
      name_last: [p.lastName],
      address_home_street_address: street,
      address_home_line1: street,
      address_home_line2: '',
      address_home_city: p.homeCity.name,
      address_home_state: '',
      address_home_zip: p.homeCity.postcode,
      address_home_country: p.homeCity.countryCode,
      address_home_sorting_code: '',
      address_home_language_code: 'en',
      address_home_dependent_locality: '',
      email_address: [p.email],
      phone_home_whole_number: [p.phone],
      origin: 'https://www.google.com',
      use_count: rng.between(1, 40),
      company_name: '',
      use_date: used,
    };
    const contact = {
      guid: uuid(rng),
      name_full: [p.fullName],
      email_address: [p.email],
      phone_home_whole_number: [p.phone],
      use_count: rng.between(1, 40),
      use_date: used,
    };
    return [
      listFile(ctx, 'Chrome/Addresses and more.json', wrapped('Autofill', { 'Autofill Profile': [profile], 'Contact Info': [contact] }), (_k, ms, rng) => {
        const search = rng.chance(0.3);
        const [name, value] = search ? ['q', searchQuery(rng)] : rng.pick(fields);
        const uses = [webkitMicros(ms)];
        for (let i = rng.int(3), t = ms; i > 0; i--) uses.push(webkitMicros((t -= rng.between(1, 90) * 86_400_000)));
        return { usage_timestamp: uses, name, value };
      }),
    ];
  },
};

const WORD_PARTS = ['vos', 'kamp', 'berg', 'lin', 'gaard', 'ster', 'holm', 'ova', 'ski', 'ent', 'ix', 'ara', 'dal', 'mer', 'ton'];
const KNOWN_WORDS = ['Dataport', 'TypeScript', 'Kubernetes', 'gezellig', 'Vitest', 'pg-boss', 'Fastify', 'Takeout', 'OAuth', 'ZIP64', 'sourdough'];

const dictionary: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx: GroupContext) {
    return [
      // Takeout writes one word per line, with no header row.
      listFile(ctx, 'Chrome/Dictionary.csv', csv(['Word'], { header: false }), (_k, _ms, rng) => {
        if (rng.chance(0.2)) return { Word: rng.pick(KNOWN_WORDS) };
        // Made-up surnames and place names: words a spell checker would not know.
        let word = rng.pick(WORD_PARTS);
        for (let i = rng.between(1, 2); i > 0; i--) word += rng.pick(WORD_PARTS);
        return { Word: word.charAt(0).toUpperCase() + word.slice(1) };
      }),
    ];
  },
};

const EXTENSIONS = [
  'uBlock Origin',
  'Bitwarden Password Manager',
  'Dark Reader',
  'Google Translate',
  'Tampermonkey',
  'React Developer Tools',
  'JSON Viewer',
  'Vimium',
  'Grammarly: AI Writing and Grammar Checker',
  'ColorZilla',
  'Wappalyzer',
  'Save to Google Drive',
  'Google Docs Offline',
  'Privacy Badger',
  'OneTab',
  'Zotero Connector',
] as const;
const MADE_UP_EXTENSION_WORDS = [
  ['Simple', 'Quick', 'Smart', 'Tiny', 'Better', 'Open'],
  ['Tab Manager', 'Screenshot', 'Color Picker', 'Notes', 'Timer', 'Reader Mode', 'Cookie Editor', 'Word Counter'],
] as const;

/** Chrome extension ids are 32 letters a-p; derive one from the name so an extension keeps its id. */
function extensionId(name: string): string {
  const rng = new Rng(fnv1a32(name));
  return rng.chars('abcdefghijklmnop', 32);
}

const extensions: GroupSpec = {
  spanDays: 6 * 365,
  shape: 'list',
  files(ctx: GroupContext) {
    return [
      listFile(ctx, 'Chrome/Extensions.json', wrapped('Extensions'), (_k, _ms, rng) => {
        const name = rng.chance(0.5) ? rng.pick(EXTENSIONS) : `${rng.pick(MADE_UP_EXTENSION_WORDS[0])} ${rng.pick(MADE_UP_EXTENSION_WORDS[1])}`;
        const enabled = rng.chance(0.85);
        return {
          name,
          version: `${rng.between(1, 30)}.${rng.between(0, 20)}.${rng.between(0, 99)}`,
          id: extensionId(name),
          enabled,
          incognito_enabled: rng.chance(0.2),
          remote_install: false,
          disabled_reasons: enabled ? [] : [1],
          installed_by_custodian: false,
        };
      }),
    ];
  },
};

const settings: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx: GroupContext) {
    const rng = new Rng(mix32(ctx.seed, 0x73657474));
    const p = userProfile(ctx.userSeed);
    const created = Math.min(ctx.nowMs, p.createdMs);
    const bool = (chance: number): string => String(rng.chance(chance));
    const later = (): number => Math.min(ctx.nowMs, created + rng.int(3 * 365) * 86_400_000);
    return [
      objectFile('Chrome/Settings.json', {
        Preferences: [
          { name: 'browser.show_home_button', value: bool(0.4) },
          { name: 'bookmark_bar.show_on_all_tabs', value: bool(0.7) },
          { name: 'intl.accept_languages', value: `en-US,en,${p.homeCity.countryCode.toLowerCase()}` },
          { name: 'translate.enabled', value: bool(0.9) },
          { name: 'search.suggest_enabled', value: bool(0.9) },
          { name: 'webkit.webprefs.default_font_size', value: String(rng.pick([14, 16, 18])) },
          { name: 'download.prompt_for_download', value: bool(0.3) },
          { name: 'safebrowsing.enhanced', value: bool(0.25) },
          { name: 'autofill.profile_enabled', value: bool(0.8) },
          { name: 'credentials_enable_service', value: bool(0.6) },
        ],
        'Priority Preferences': [
          { name: 'syncing_theme_prefs_migrated_to_non_syncing', value: 'true' },
          { name: 'browser.theme.color_scheme', value: String(rng.int(3)) },
        ],
        // Chrome's search engines: dates in WebKit microseconds (since 1601-01-01), as integers.
        'Search Engines': [
          searchEngine(rng, created, {
            short_name: 'Google',
            keyword: 'google.com',
            url: '{google:baseURL}search?q={searchTerms}&{google:RLZ}{google:originalQueryForSuggestion}{google:assistedQueryStats}{google:searchFieldtrialParameter}{google:language}{google:searchClient}{google:sourceId}ie={inputEncoding}',
            suggestions_url: '{google:baseSuggestURL}search?{google:searchFieldtrialParameter}client={google:suggestClient}&q={searchTerms}',
            favicon_url: 'https://www.google.com/images/branding/product/ico/googleg_lodp.ico',
            safe_for_autoreplace: true,
            prepopulate_id: 1,
          }),
          searchEngine(rng, later(), {
            short_name: 'Wikipedia',
            keyword: 'w',
            url: 'https://en.wikipedia.org/w/index.php?search={searchTerms}',
            suggestions_url: '',
            favicon_url: 'https://en.wikipedia.org/static/favicon/wikipedia.ico',
            safe_for_autoreplace: false,
            prepopulate_id: 0,
          }),
          searchEngine(rng, later(), {
            short_name: 'YouTube',
            keyword: 'yt',
            url: 'https://www.youtube.com/results?search_query={searchTerms}',
            suggestions_url: '',
            favicon_url: 'https://www.youtube.com/favicon.ico',
            safe_for_autoreplace: false,
            prepopulate_id: 0,
          }),
        ],
      }),
    ];
  },
};

/** A search engine as Chrome's Settings.json lists it. */
function searchEngine(
  rng: Rng,
  createdMs: number,
  engine: {
    short_name: string;
    keyword: string;
    url: string;
    suggestions_url: string;
    favicon_url: string;
    safe_for_autoreplace: boolean;
    prepopulate_id: number;
  },
): object {
  return {
    short_name: engine.short_name,
    keyword: engine.keyword,
    url: engine.url,
    suggestions_url: engine.suggestions_url,
    favicon_url: engine.favicon_url,
    new_tab_url: '',
    originating_url: '',
    safe_for_autoreplace: engine.safe_for_autoreplace,
    date_created: webkitMicros(createdMs),
    last_modified: webkitMicros(createdMs),
    sync_guid: uuid(rng).toUpperCase(),
    input_encodings: 'UTF-8',
    prepopulate_id: engine.prepopulate_id,
  };
}

/** A random (version 4) UUID drawn from `rng`. */
function uuid(rng: Rng): string {
  const hex = rng.chars('0123456789abcdef', 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[rng.int(4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Autofill profiles' `use_date`: whole seconds since the Unix epoch. */
function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export const chromeGroups: Readonly<Record<string, GroupSpec>> = {
  'chrome.autofill': autofill,
  'chrome.bookmarks': bookmarks,
  'chrome.dictionary': dictionary,
  'chrome.extensions': extensions,
  'chrome.history': history,
  'chrome.reading_list': readingList,
  'chrome.settings': settings,
};
