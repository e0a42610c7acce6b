import type { Catalog, ResourceGroup } from './types.js';

export function createCatalog(groups: readonly ResourceGroup[]): Catalog {
  const byName = new Map(groups.map((g) => [g.name, g]));
  const byScope = new Map(groups.map((g) => [g.scope, g]));
  if (byName.size !== groups.length) throw new Error('catalog: duplicate resource group name');
  if (byScope.size !== groups.length) throw new Error('catalog: duplicate resource group scope');
  const frozen = Object.freeze(groups.map((g) => Object.freeze({ ...g })));
  return Object.freeze({
    groups: frozen,
    get: (name: string) => byName.get(name),
    byScope: (scope: string) => byScope.get(scope),
  });
}

/**
 * A group's description as the discovery and OpenAPI documents show it: a retired group says so, since
 * Google's own document no longer lists its scope.
 */
export function documentedDescription(group: ResourceGroup): string {
  return group.retired ? `${group.description} (retired by Google; Dataport still serves it)` : group.description;
}
