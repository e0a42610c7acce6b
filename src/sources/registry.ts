import { CatalogError, type CatalogDefinition, type GroupDefinition } from '../catalog/index.js';
import { demoGroupNames } from './demo/index.js';
import { createFilesSource } from './files/index.js';
import { createHttpSource } from './http/index.js';
import { loadPluginSource } from './plugin/index.js';
import { createSqlSource } from './sql/index.js';
import type { Source } from './types.js';

export interface BuiltInSources {
  /** Builds the demo source (it needs the store's fault ledger and the clock, which only app.ts has). */
  demo(): Source;
}

/**
 * Builds one Source per source the catalog declares, each knowing the groups it serves. Without a catalog
 * file (Google's catalog) there is only `demo`. A source that cannot be built stops start-up with a
 * message pointing at its line; sources already built are closed first.
 */
export async function createSourcesFromCatalog(definition: CatalogDefinition | undefined, builtIn: BuiltInSources): Promise<Map<string, Source>> {
  const sources = new Map<string, Source>();
  if (!definition) {
    sources.set('demo', builtIn.demo());
    return sources;
  }
  const locate = (group: GroupDefinition, at: readonly (string | number)[]) => definition.locate(['resourceGroups', group.position, ...at]);
  try {
    for (const [name, source] of definition.sources) {
      const groups = definition.groups.filter((g) => g.source === name);
      const common = { name, groups, baseDir: definition.baseDir };
      try {
        switch (source.type) {
          case 'sql':
            sources.set(name, await createSqlSource({ ...common, definition: source, locate }));
            break;
          case 'files':
            sources.set(name, createFilesSource({ ...common, definition: source }));
            break;
          case 'http':
            sources.set(name, createHttpSource({ ...common, definition: source }));
            break;
          case 'plugin':
            sources.set(
              name,
              await loadPluginSource(source, {
                name,
                baseDir: definition.baseDir,
                groups: groups.map((g) => ({ name: g.name, timeFilter: g.timeFilter, settings: g.settings })),
              }),
            );
            break;
          case 'demo': {
            // The demo source serves only Google's group names; any other would fail every export.
            const unknown = groups.filter((g) => !demoGroupNames.includes(g.name));
            if (unknown.length > 0) {
              throw new CatalogError(
                unknown
                  .map(
                    (g) =>
                      `${locate(g, ['name'])}: the demo source "${name}" has no resource group "${g.name}" (it serves Google's, such as myactivity.search)`,
                  )
                  .join('\n'),
              );
            }
            sources.set(name, builtIn.demo());
            break;
          }
        }
      } catch (error) {
        if (error instanceof CatalogError) throw error;
        // Not `cause`: the connector's error may quote its settings, secrets among them, and a cause gets logged.
        throw new CatalogError(`${definition.locate(['sources', name])}: source "${name}": ${definition.redact((error as Error).message)}`);
      }
    }
  } catch (error) {
    await Promise.allSettled([...sources.values()].map(async (s) => s.close?.()));
    throw error;
  }
  return sources;
}
