import type { BlobStore } from './types.js';
import type { S3BlobStoreOptions, S3Location } from './blobs-s3.js';

// The AWS SDK (client, multipart upload, presigner) adds about 50 MiB to a process that imports it, and
// an embedded server never uses it: blobs-s3.ts is imported on first use only. Every BlobStore method is
// async, so the first call simply also waits for the import.
const loadS3 = () => import('./blobs-s3.js');

export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  let store: Promise<BlobStore> | undefined;
  const load = () => (store ??= loadS3().then((m) => m.createS3BlobStore(options)));
  return {
    kind: 's3',
    put: async (...args) => (await load()).put(...args),
    stat: async (...args) => (await load()).stat(...args),
    read: async (...args) => (await load()).read(...args),
    delete: async (...args) => (await load()).delete(...args),
    deletePrefix: async (...args) => (await load()).deletePrefix(...args),
    list: async (...args) => (await load()).list(...args),
    signedUrl: async (...args) => (await load()).signedUrl(...args),
    async close() {
      if (!store) return;
      await (await store).close?.();
    },
  };
}

export async function ensureS3Bucket(location: S3Location): Promise<void> {
  return (await loadS3()).ensureS3Bucket(location);
}

export async function deleteS3Bucket(location: S3Location): Promise<void> {
  return (await loadS3()).deleteS3Bucket(location);
}
