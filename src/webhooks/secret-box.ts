import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Seals webhook secrets for the database. A webhook secret is an HMAC key the server signs with, so unlike a
 * client secret it cannot be stored as a hash: it is encrypted (AES-256-GCM) under a key derived from the data
 * folder's signing key (`signing.key`, which every server of a deployment shares). A copy of the database
 * alone holds no usable secret; whoever holds the data folder's key and the database can sign.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

const VERSION = 'v1';

export function createSecretBox(signingKey: Buffer): SecretBox {
  // Its own key, apart from the web and URL-signing keys derived from the same root.
  const key = createHmac('sha256', signingKey).update('dataport webhook secrets').digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const [version, data] = sealed.split('.');
      if (version !== VERSION || !data) throw new Error('not a sealed webhook secret');
      const raw = Buffer.from(data, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
