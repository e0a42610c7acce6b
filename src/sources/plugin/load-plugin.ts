import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginSourceDefinition } from '../../catalog/index.js';
import type { Source, SourceFactory, SourcePluginContext } from '../types.js';
import { importModule } from '../import-module.js';
import { withErrorsByName } from './error-names.js';

/** A plugin module that cannot be loaded or does not export a source; the message is for the operator. */
class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
}

/**
 * Loads a `type: plugin` source with a dynamic import. A path (`./x.ts`, `/abs/x.js`) is resolved against
 * the catalog's folder; anything else is imported as a package name. TypeScript modules load through tsx,
 * registered by the first one (the compiled server in dist/ runs without it); plain .js/.mjs work
 * everywhere. The module exports a SourceFactory as `default` or `createSource`, or a ready Source as
 * `default` or `source`. Its errors are recognised by
 * name (see error-names.ts), so a plugin need not import Dataport's classes.
 */
export async function loadPluginSource(definition: PluginSourceDefinition, context: SourcePluginContext): Promise<Source> {
  const specifier = /^(\.{1,2}[/\\]|\/|[A-Za-z]:[/\\])/.test(definition.module)
    ? pathToFileURL(path.resolve(context.baseDir, definition.module)).href
    : definition.module;
  let exports: Record<string, unknown>;
  try {
    exports = (await importModule(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginLoadError(`cannot load plugin module ${definition.module}: ${(error as Error).message}`, { cause: error });
  }
  const exported = exports.createSource ?? exports.default ?? exports.source;
  const source = typeof exported === 'function' ? await (exported as SourceFactory)(definition.options, context) : exported;
  if (!isSource(source)) {
    throw new PluginLoadError(
      `plugin module ${definition.module} exports no source: export default (or createSource) a function returning { name, exportGroup(request) }`,
    );
  }
  return withErrorsByName(source);
}

function isSource(value: unknown): value is Source {
  return typeof value === 'object' && value !== null && typeof (value as Source).exportGroup === 'function';
}
