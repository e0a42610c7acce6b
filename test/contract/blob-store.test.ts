import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createS3BlobStore, grants, jobsSql, type BlobStore, type Db } from '../../src/store/index.js';
import { TestClock, startDataport } from '../helpers/dataport.js';
import { createTestBucket, listUnfinishedUploads, s3Unavailable } from '../helpers/scaled-stack.js';
import { runBlobStoreContract } from './blob-store.contract.js';

runBlobStoreContract({
  name: 'fs (local folder, served by Dataport /downloads)',
  async create() {
    // The fs store's URLs are served by the Dataport server that owns it: test the pair through real HTTP.
    // The route serves an object only as a published archive part whose grant stands: each object the contract
    // puts is published as the one part of a COMPLETE job of a live grant.
    const dp = await startDataport({}, {}, { stack: 'embedded' });
    const root = dp.dataport.config.storage.kind === 'fs' ? dp.dataport.config.storage.root : '';
    return {
      store: publishingEveryPut(dp.dataport.blobs, dp.dataport.db, dp.clock.now()),
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

/** The store, with every object it is given recorded as a downloadable archive part (grant, job, part rows). */
function publishingEveryPut(store: BlobStore, db: Db, now: number): BlobStore {
  const grantId = `contract-${randomBytes(4).toString('hex')}`;
  let granted: Promise<void> | undefined;
  return {
    ...store,
    async put(key, body) {
      const written = await store.put(key, body);
      await (granted ??= grants.insertGrant(db, {
        id: grantId,
        user_id: 'contract-user',
        client_id: 'contract-client',
        resources: '["myactivity.search"]',
        access: '30d',
        created_at: now,
        expires_at: null,
        revoked_at: null,
        offline_access: 0,
      }));
      const jobId = randomBytes(16).toString('hex');
      await jobsSql.insertJob(db, {
        id: jobId,
        user_id: 'contract-user',
        client_id: 'contract-client',
        grant_id: grantId,
        resources: '["myactivity.search"]',
        access_type: 'ACCESS_TYPE_TIME_BASED',
        start_time: null,
        end_time: null,
        export_time: now,
        state: 'IN_PROGRESS',
        created_at: now,
        updated_at: now,
        retry_of: null,
        limits_cleared: 0,
        attempt: 1,
        lease_owner: null,
        lease_expires_at: null,
        transient_failures: 0,
        failure_reason: null,
        finished_at: null,
        archive_expires_at: null,
        archive_deleted_at: null,
        outputs_swept_at: null,
        request_id: null,
        trace_parent: null,
      });
      await jobsSql.completeJob(db, jobId, 1, [{ part_index: 0, blob_key: key, size_bytes: written.sizeBytes, sha256: '' }], now, now + 86_400_000);
      return written;
    },
  };
}
