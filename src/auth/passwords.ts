import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt is memory-hard: N=2^15, r=8 takes 32 MiB per hash, which makes guessing on GPUs expensive while a
 * sign-in stays well under a second here. The parameters are stored with each hash so they can be raised later.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // maxmem must exceed 128*N*r (32 MiB), Node's default cap.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return storedHash(salt, await scryptAsync(password, salt, { N, r: R, p: P }));
}

/** The stored form: scheme, the current parameters, salt and key. */
function storedHash(salt: Buffer, key: Buffer): string {
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A stored hash with the current parameters that no password is checked against for its answer: verifying
 * against it costs what verifying a real one does (scrypt's time depends on N, r and p, not on salt or key),
 * so a sign-in to an account that does not exist takes as long as a wrong password. A constant, not a hash
 * made at start-up: making one is a full scrypt run (32 MiB) in every process that builds the account service.
 */
export const DECOY_PASSWORD_HASH = storedHash(Buffer.alloc(16), Buffer.alloc(KEY_BYTES));

/** A password the operator did not choose: 128 random bits, easy to paste. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url');
}
