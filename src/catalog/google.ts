import { readFileSync } from 'node:fs';
import { createCatalog } from './catalog.js';
import type { Catalog } from './types.js';

interface GoogleGroupsFile {
  scopePrefix: string;
  resourceGroups: { resource: string; scope: string; description: string; retired?: boolean }[];
}

/**
 * Google documents time filters (`startTime`/`endTime`) only for the My Activity groups and Chrome history;
 * every other group answers 400 INVALID_ARGUMENT when a filter is given.
 */
export function supportsTimeFilter(name: string): boolean {
  return name.startsWith('myactivity.') || name === 'chrome.history';
}

/**
 * Google's Data Portability resource groups, all served by the `demo` source: the 73 of Google's discovery
 * document, plus `businessmessaging.conversations`, which Google has retired and Dataport still serves.
 */
export function googleCatalog(): Catalog {
  const file = JSON.parse(readFileSync(new URL('./google-resource-groups.json', import.meta.url), 'utf8')) as GoogleGroupsFile;
  return createCatalog(
    file.resourceGroups.map((g) => ({
      name: g.resource,
      scope: g.scope,
      description: g.description,
      supportsTimeFilter: supportsTimeFilter(g.resource),
      source: 'demo',
      ...(g.retired ? { retired: true } : {}),
    })),
  );
}
