import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStat, BlobStore, SignedUrlOptions } from './types.js';

/** Where and how to reach the bucket; config.ts builds this from `DATAPORT_STORAGE_URL`. */
export interface S3Location {
  bucket: string;
  /** Key prefix inside the bucket ('' or ending in `/`), so several deployments can share one bucket. */
  prefix: string;
  /** A custom endpoint (Ceph RGW, MinIO, R2...); unset for AWS itself. */
  endpoint: string | undefined;
  region: string;
  /** `bucket.host` addressing needs wildcard DNS that self-hosted stores rarely have: path-style for custom endpoints. */
  forcePathStyle: boolean;
  /** Explicit keys; unset means the SDK's usual chain (instance role, profile, web identity...). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

export interface S3BlobStoreOptions extends S3Location {
  /** Signs URLs at this time (the injected clock), so expiry means the same as for the local store. */
  now?: () => number;
  /** Multipart part size: memory per upload is about partSize × queueSize. S3's minimum part is 5 MiB. */
  uploadPartSizeBytes?: number;
}

/** S3 forbids presigned URLs valid longer than 7 days (SigV4). */
const MAX_PRESIGN_SECONDS = 7 * 86_400;
/** DeleteObjects takes at most 1000 keys per call. */
const DELETE_BATCH = 1000;

function clientFor(location: S3Location): S3Client {
  return new S3Client({
    region: location.region,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    forcePathStyle: location.forcePathStyle,
    ...(location.credentials ? { credentials: location.credentials } : {}),
    // Newer SDKs add CRC32 checksums to every request by default; S3-compatible stores (older Ceph, R2...)
    // reject or ignore them, and presigned URLs would carry a checksum no browser sends. Only when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');
}

function contentTypeOf(name: string): string {
  return name.toLowerCase().endsWith('.zip') ? 'application/zip' : 'application/octet-stream';
}

/** Archive files as objects in an S3-compatible bucket; downloads go straight to the store by presigned URL. */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const client = clientFor(options);
  const now = options.now ?? Date.now;
  const { bucket } = options;
  const keyOf = (key: string) => `${options.prefix}${key}`;
  const unprefixed = (key: string) => key.slice(options.prefix.length);

  async function listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyOf(prefix), ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /**
   * Unfinished multipart uploads under `prefix`. A worker killed mid-upload never aborts its upload: the parts
   * stay in the bucket, billed and invisible to listings of objects, until someone aborts the upload (or the
   * bucket's AbortIncompleteMultipartUpload lifecycle rule does; see docs/scale.md).
   */
  async function listUploads(prefix: string): Promise<{ key: string; uploadId: string }[]> {
    const uploads: { key: string; uploadId: string }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: keyOf(prefix), KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId });
      if (!page.IsTruncated) return uploads;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  return {
    kind: 's3',
    async put(key, body) {
      let sizeBytes = 0;
      const counted = new PassThrough();
      counted.on('data', (chunk: Buffer) => {
        sizeBytes += chunk.length;
      });
      // Multipart upload streamed part by part; the object appears only when the upload completes,
      // and a failed upload is aborted (its parts deleted) by lib-storage.
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: keyOf(key), Body: counted, ContentType: contentTypeOf(key) },
        partSize: options.uploadPartSizeBytes ?? 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await Promise.all([pipeline(body, counted), upload.done()]).catch(async (error: unknown) => {
        await upload.abort().catch(() => undefined);
        throw error;
      });
      return { sizeBytes };
    },
    async stat(key): Promise<BlobStat | undefined> {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
        return { sizeBytes: head.ContentLength ?? 0, etag: head.ETag ?? '""', modifiedAt: head.LastModified ?? new Date(0) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async read(key, range) {
      const object = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: keyOf(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return object.Body as Readable;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
    },
    async deletePrefix(prefix) {
      // Uploads first: one that completes meanwhile becomes an object, which the listing below then finds.
      const uploads = await listUploads(prefix);
      for (const { key, uploadId } of uploads) {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch((error: unknown) => {
          // Completed or aborted by its own worker in the meantime: nothing left to abort.
          if (!(error instanceof S3ServiceException && error.name === 'NoSuchUpload')) throw error;
        });
      }
      const keys = await listKeys(prefix);
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        if (result.Errors?.length) {
          const first = result.Errors[0]!;
          throw new Error(`S3 DeleteObjects failed for ${result.Errors.length} key(s), first ${first.Key}: ${first.Code} ${first.Message}`);
        }
      }
      return uploads.length + keys.length;
    },
    async list(prefix) {
      return (await listKeys(prefix)).map(unprefixed);
    },
    async signedUrl(key, { expiresInSeconds, downloadName }: SignedUrlOptions) {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: keyOf(key),
        ResponseContentDisposition: `attachment; filename="${downloadName.replace(/["\\\r\n]/g, '_')}"`,
        ResponseContentType: contentTypeOf(downloadName),
        ResponseCacheControl: 'private, no-store',
      });
      return getSignedUrl(client, command, {
        expiresIn: Math.min(expiresInSeconds, MAX_PRESIGN_SECONDS),
        signingDate: new Date(now()),
      });
    },
    async close() {
      client.destroy();
    },
  };
}

/**
 * Creates the bucket unless it exists (tests, first-run setup). Production buckets are usually made by the
 * operator with their own policies; Dataport only needs read/write/list/delete inside its prefix.
 */
export async function ensureS3Bucket(location: S3Location): Promise<void> {
  const client = clientFor(location);
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.send(new CreateBucketCommand({ Bucket: location.bucket }));
  } finally {
    client.destroy();
  }
}

/** Empties and removes a bucket (test clean-up). */
export async function deleteS3Bucket(location: S3Location): Promise<void> {
  const store = createS3BlobStore({ ...location, prefix: '' });
  await store.deletePrefix('');
  await store.close?.();
  const client = clientFor(location);
  try {
    await client.send(new DeleteBucketCommand({ Bucket: location.bucket }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  } finally {
    client.destroy();
  }
}
