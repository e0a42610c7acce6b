export type { Source, ExportRequest, ArchiveFile, RecordFormat } from './types.js';
export { TransientSourceError, PermanentSourceError } from './types.js';
