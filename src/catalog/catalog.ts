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
