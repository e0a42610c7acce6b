import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import { deleteS3Bucket, ensureS3Bucket, migrateToLatest, openDatabase, type S3Location } from '../../src/store/index.js';

/**
 * The scaled stack's services for tests: a PostgreSQL server (a fresh database per use) and an S3-compatible
 * store (a fresh bucket per use). Both come from the environment; `.ci/run` starts them and exports:
 *   DATAPORT_TEST_POSTGRES_URL   e.g. postgres://postgres@127.0.0.1:5432/postgres (a database we may CREATE DATABASE from)
 *   DATAPORT_TEST_S3_ENDPOINT, DATAPORT_TEST_S3_ACCESS_KEY, DATAPORT_TEST_S3_SECRET_KEY  (scripts/s3-ceph-rgw.sh prints them)
 */
export const testPostgresUrl = process.env.DATAPORT_TEST_POSTGRES_URL || undefined;
const s3Endpoint = process.env.DATAPORT_TEST_S3_ENDPOINT || undefined;
const s3AccessKey = process.env.DATAPORT_TEST_S3_ACCESS_KEY || undefined;
const s3SecretKey = process.env.DATAPORT_TEST_S3_SECRET_KEY || undefined;

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresUnavailable = testPostgresUrl
  ? undefined
  : 'DATAPORT_TEST_POSTGRES_URL is not set (CI sets it; locally e.g. postgres://postgres@127.0.0.1:5432/postgres)';
/** Why S3 tests cannot run here, or undefined when they can. */
export const s3Unavailable =
  s3Endpoint && s3AccessKey && s3SecretKey
    ? undefined
    : 'DATAPORT_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY are not set (CI sets them; locally: eval "$(scripts/s3-ceph-rgw.sh)")';
export const scaledStackUnavailable = postgresUnavailable ?? s3Unavailable;

/** Which stack `startDataport` builds: `DATAPORT_TEST_STACK=scaled` for PostgreSQL + pg-boss + S3. */
export const testStack: 'embedded' | 'scaled' = process.env.DATAPORT_TEST_STACK === 'scaled' ? 'scaled' : 'embedded';

const uniqueName = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

/** Creates `dataport_test_<random>` with the schema migrated (unless told not to); `drop()` removes it (and ends its connections). */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  if (!testPostgresUrl) throw new Error(postgresUnavailable);
  const name = uniqueName('dataport_test_');
  const admin = openDatabase({ databaseUrl: testPostgresUrl, dataDir: '.', poolSize: 1 });
  try {
    await sql`create database ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  if (options.migrate ?? true) {
    const migrated = openDatabase({ databaseUrl: url.toString(), dataDir: '.', poolSize: 1 });
    try {
      await migrateToLatest(migrated.db);
    } finally {
      await migrated.close();
    }
  }
  return {
    url: url.toString(),
    name,
    async drop() {
      const admin = openDatabase({ databaseUrl: testPostgresUrl, dataDir: '.', poolSize: 1 });
      try {
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db);
      } finally {
        await admin.close();
      }
    },
  };
}

/** Creates a fresh bucket; `env` holds the variables a Dataport process needs to use it. */
export async function createTestBucket(): Promise<{ location: S3Location; storageUrl: string; env: Record<string, string>; drop(): Promise<void> }> {
  if (!s3Endpoint || !s3AccessKey || !s3SecretKey) throw new Error(s3Unavailable);
  const location: S3Location = {
    bucket: uniqueName('dataport-test-'),
    prefix: '',
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3AccessKey, secretAccessKey: s3SecretKey },
  };
  await ensureS3Bucket(location);
  const storageUrl = `s3://${location.bucket}?endpoint=${encodeURIComponent(s3Endpoint)}&region=us-east-1`;
  return {
    location,
    storageUrl,
    env: { DATAPORT_STORAGE_URL: storageUrl, AWS_ACCESS_KEY_ID: s3AccessKey, AWS_SECRET_ACCESS_KEY: s3SecretKey },
    drop: () => deleteS3Bucket(location),
  };
}

/**
 * Keys of the multipart uploads under `prefix` that were started and never completed or aborted, asked of the
 * store itself (ListMultipartUploads): what a worker killed mid-upload leaves behind.
 */
export async function listUnfinishedUploads(location: S3Location, prefix: string): Promise<string[]> {
  const client = new S3Client({
    region: location.region,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    forcePathStyle: location.forcePathStyle,
    ...(location.credentials ? { credentials: location.credentials } : {}),
  });
  try {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: location.bucket, Prefix: prefix }));
    return (page.Uploads ?? []).map((u) => u.Key!).sort();
  } finally {
    client.destroy();
  }
}
