export type { Source, ExportRequest, ArchiveFile, RecordFormat, RecordShards, ShardProducer } from './types.js';
export { TransientSourceError, PermanentSourceError } from './types.js';
export type { SourceFactory, SourcePluginContext } from './types.js';
export { createSourcesFromCatalog, type BuiltInSources } from './registry.js';
export { asSourceError } from './plugin/error-names.js';
