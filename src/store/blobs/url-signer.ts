import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SignedParams {
  key: string;
  /** Unix seconds. */
  expires: number;
  downloadName: string;
}

/**
 * HMAC-SHA256 signatures for the local blob store's download URLs. The signature covers the object key,
 * the expiry and the download name, so a URL opens exactly one object, once valid, under one name.
 */
export function createUrlSigner(secret: Buffer) {
  // A key object is imported once; a raw Buffer is imported again by every createHmac (~0.5 µs).
  const key = createSecretKey(secret);
  const mac = (p: SignedParams) => createHmac('sha256', key).update(`${p.key}\n${p.expires}\n${p.downloadName}`).digest('base64url');
  return {
    sign: (p: SignedParams): string => mac(p),
    verify(p: SignedParams, signature: string): boolean {
      const expected = Buffer.from(mac(p));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;

/**
 * Below this the key is refused: HMAC-SHA256 keys shorter than its output weaken it (RFC 2104 §3), and an empty
 * or truncated file would make every download URL, cookie and CSRF token forgeable.
 */
const MIN_SIGNING_KEY_BYTES = 32;

/** A signing key that may not be used; the message says what to do. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/**
 * Reads the signing key from the data folder, creating it on first run (the folder 0700, the file 0600: readable
 * by the service's user only).
 */
export function loadOrCreateSigningKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'signing.key');
  try {
    return checked(file, readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MIN_SIGNING_KEY_BYTES);
  // Written whole under a name of this process's own, then linked into place: a link fails if the name exists
  // and is never seen half-written. Created in place ('wx' then write), a command started at the same moment
  // could read the file between the two, empty, and refuse it as too short (test/cli/new-data-folder.test.ts).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(draft, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return key;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another process (the CLI, a second server) created it first: use theirs.
    if (code === 'EEXIST') return checked(file, readFileSync(file, 'utf8'));
    // A file system without hard links: created in place, as before.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createInPlace(file, key);
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function createInPlace(file: string, key: Buffer): Buffer {
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return checked(file, readFileSync(file, 'utf8'));
    throw error;
  }
}

function checked(file: string, text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < MIN_SIGNING_KEY_BYTES) {
    throw new SigningKeyError(
      `${file} holds ${key.length} bytes of key; at least ${MIN_SIGNING_KEY_BYTES} are needed (base64, as Dataport writes it). ` +
        'Put the key the other servers use there, or delete the file to have a new one made (outstanding download links and sign-in sessions then stop working).',
    );
  }
  return key;
}
