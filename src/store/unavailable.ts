/**
 * Whether an error means the database or the blob store could not take the request for now (full disk, I/O
 * error, a lock held past busy_timeout, a database or store that can't be reached), as opposed to a bug or a
 * request that will never succeed. The API answers these with 503 UNAVAILABLE, which clients retry
 * (google.rpc.Code 14: "most likely a transient condition"), and /readyz fails while they last.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (isUnavailableItself(e)) return true;
  }
  return false;
}

/** better-sqlite3's codes (extended ones too, e.g. SQLITE_IOERR_WRITE): the disk or the lock, not the query. */
const SQLITE_UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'];
/** errno codes of the file system (fs blob store, SQLite's files) and of sockets (PostgreSQL, S3). */
const ERRNO_UNAVAILABLE = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EMFILE',
  'ENFILE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 53 (insufficient resources: disk full, out of memory,
 * too many connections), 57P01-57P03 (shut down, crashed, starting up), 58 (I/O error), 40001/40P01
 * (serialization failure, deadlock: retrying succeeds).
 */
const PG_UNAVAILABLE = /^(08...|53...|57P0[123]|58...|40001|40P01)$/;
/** pg and pg-pool report a lost or unobtainable connection by message only. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
];

function isUnavailableItself(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.some((c) => code === c || code.startsWith(`${c}_`))) return true;
    if (ERRNO_UNAVAILABLE.has(code)) return true;
    if (PG_UNAVAILABLE.test(code)) return true;
  }
  if (PG_CONNECTION_MESSAGES.some((m) => e.message.includes(m))) return true;
  // AWS SDK: the store answered 5xx (SlowDown, ServiceUnavailable, InternalError), or never answered at all.
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  // Node's fetch and undici wrap the socket error as the cause; AggregateError (Happy Eyeballs) holds several.
  if (e instanceof AggregateError) return e.errors.some((inner) => inner instanceof Error && isUnavailableItself(inner));
  return false;
}
