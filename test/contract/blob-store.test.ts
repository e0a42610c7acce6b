import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createS3BlobStore } from '../../src/store/index.js';
import { TestClock, startDataport } from '../helpers/dataport.js';
import { createTestBucket, listUnfinishedUploads, s3Unavailable } from '../helpers/scaled-stack.js';
import { runBlobStoreContract } from './blob-store.contract.js';

runBlobStoreContract({
  name: 'fs (local folder, served by Dataport /downloads)',
  async create() {
    // The fs store's URLs are served by the Dataport server that owns it: test the pair through real HTTP.
    const dp = await startDataport({}, {}, { stack: 'embedded' });
    const root = dp.dataport.config.storage.kind === 'fs' ? dp.dataport.config.storage.root : '';
    return {
      store: dp.dataport.blobs,
      shiftSigningClock: (ms) => dp.clock.advance(ms),
      // A put in progress is a `.partial` file beside its key.
      async unfinishedUploads(prefix) {
        const files = (await readdir(root, { recursive: true }).catch(() => [] as string[])).map((f) => f.split(path.sep).join('/'));
        return files.filter((f) => f.startsWith(prefix) && f.endsWith('.partial')).sort();
      },
      close: () => dp.close(),
    };
  },
});

runBlobStoreContract({
  name: 's3 (S3-compatible: Ceph RADOS Gateway in CI)',
  skip: s3Unavailable,
  async create() {
    const bucket = await createTestBucket();
    const clock = new TestClock();
    // A small part size so the 11 MiB object of the contract goes up in three parts.
    const store = createS3BlobStore({ ...bucket.location, prefix: 'contract/', now: clock.now, uploadPartSizeBytes: 5 * 1024 * 1024 });
    return {
      store,
      shiftSigningClock: (ms) => clock.advance(ms),
      unfinishedUploads: async (prefix) => (await listUnfinishedUploads(bucket.location, `contract/${prefix}`)).map((k) => k.slice('contract/'.length)),
      async close() {
        await store.close?.();
        await bucket.drop();
      },
    };
  },
});
