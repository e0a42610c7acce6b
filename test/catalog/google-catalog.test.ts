import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { googleCatalog } from '../../src/catalog/index.js';
import { buildDiscoveryDocument } from '../../src/api/discovery.js';
import { consentPage } from '../../src/web/consent-page.js';
import { loadLocales } from '../../src/web/index.js';

/** The scopes Google's own Node client (the pinned `googleapis`) lists for the Data Portability API v1. */
function googleapisScopes(): string[] {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('googleapis/package.json'));
  const dts = readFileSync(join(root, 'build/src/apis/dataportability/v1.d.ts'), 'utf8');
  return [...new Set(dts.match(/https:\/\/www\.googleapis\.com\/auth\/dataportability\.[a-z_.]+/g) ?? [])].sort();
}

const RETIRED = 'https://www.googleapis.com/auth/dataportability.businessmessaging.conversations';

describe("Google's catalog", () => {
  const catalog = googleCatalog();

  it("has exactly googleapis' scopes plus the one Google retired, which alone is marked retired", () => {
    const listed = googleapisScopes();
    expect(listed).toHaveLength(73);
    expect(listed).not.toContain(RETIRED);
    expect(catalog.groups.map((g) => g.scope).sort()).toEqual([...listed, RETIRED].sort());
    expect(catalog.groups.filter((g) => g.retired).map((g) => g.scope)).toEqual([RETIRED]);
  });

  it.each([
    'maps.vehicle_profile',
    'nest.camera_event',
    'nest.camera_feature',
    'nest.camera_video',
    'nest.store',
    'nest.user',
    'pixel.device_data',
    'youtube.conversations',
  ])('serves the added group %s with an English and a Turkish description', (name) => {
    const group = catalog.get(name)!;
    expect(group.description).toMatch(/^Move a copy of /);
    const locales = loadLocales();
    expect(locales.pick('en', undefined).group(name, '')).toBe(group.description);
    const tr = locales.pick('tr', undefined).group(name, '');
    expect(tr).toMatch(/kopyasını taşıyın$/);
  });

  it('the discovery document keeps the retired scope, saying it is retired', () => {
    const doc = buildDiscoveryDocument(catalog, 'https://dataport.example.org/') as {
      auth: { oauth2: { scopes: Record<string, { description: string }> } };
    };
    expect(Object.keys(doc.auth.oauth2.scopes)).toHaveLength(74);
    expect(doc.auth.oauth2.scopes[RETIRED]!.description).toMatch(/retired by Google/);
    expect(doc.auth.oauth2.scopes['https://www.googleapis.com/auth/dataportability.nest.user']!.description).not.toMatch(/retired/);
  });

  it('the consent page marks a retired group, in the page language', () => {
    for (const [lang, word] of [
      ['en', 'no longer offers'],
      ['tr', 'artık sunmuyor'],
    ] as const) {
      const t = loadLocales().pick(lang, undefined);
      const out = consentPage(t, {
        clientName: 'App',
        userId: 'alice',
        action: '/x',
        csrfToken: 'c',
        access: 'once',
        groups: [
          { name: 'businessmessaging.conversations', description: 'Messages', checked: true, retired: true },
          { name: 'nest.user', description: 'Nest', checked: true },
        ],
      });
      expect(out.match(new RegExp(word, 'g')) ?? []).toHaveLength(1);
    }
  });
});
