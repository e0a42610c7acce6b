export type { Catalog, ResourceGroup } from './types.js';
export { createCatalog, documentedDescription } from './catalog.js';
export { googleCatalog } from './google.js';
export { loadCatalogFile, CatalogError, type CatalogDefinition, type CatalogPath } from './load-catalog.js';
export type {
  GroupDefinition,
  SourceDefinition,
  SourceType,
  SqlSourceDefinition,
  FilesSourceDefinition,
  HttpSourceDefinition,
  PluginSourceDefinition,
  SqlFileDefinition,
  FilesFileDefinition,
  HttpFileDefinition,
} from './catalog-file.js';
