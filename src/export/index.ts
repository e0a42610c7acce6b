export { createExportRunner, type ExportRunnerDeps } from './run-job.js';
export type { ExportRunner } from './types.js';
export { buildArchive, type BuiltPart, type ArchiveGroup } from './archive-builder.js';
export { collectExpiredArchives, deleteUnpublishedOutputs, redispatchOrphanedJobs, takeOverLapsedJobs } from './maintenance.js';
export type { ArchiveIndex, IndexedFile } from './archive-index.js';
export { createShardPool, type ShardPool } from './shard-pool.js';
