import type { SignedUrlOptions } from './types.js';
import type { UrlSigner } from './url-signer.js';

/**
 * URLs of this server's download route, `/downloads/<key>?name=&expires=&signature=`, for archives in any
 * blob store: the route checks the consent behind an archive on every request before it serves a byte
 * (api/downloads.ts), which a store's own presigned URL could not (docs/scale.md).
 */
export function createDownloadUrls(options: { publicBaseUrl: () => string; signer: UrlSigner; now: () => number }) {
  // A signed URL is a function of the key, the expiry second, the download name and the base URL: pollers
  // asking again within the same second get the same text without another HMAC and URL build.
  const lastSigned = new Map<string, { expires: number; downloadName: string; base: string; url: string }>();
  return {
    sign(key: string, { expiresInSeconds, downloadName }: SignedUrlOptions): string {
      const expires = Math.floor(options.now() / 1000) + expiresInSeconds;
      const base = withSlash(options.publicBaseUrl());
      const last = lastSigned.get(key);
      if (last && last.expires === expires && last.downloadName === downloadName && last.base === base) return last.url;
      const signature = options.signer.sign({ key, expires, downloadName });
      const url = new URL(`downloads/${key.split('/').map(encodeURIComponent).join('/')}`, base);
      url.searchParams.set('name', downloadName);
      url.searchParams.set('expires', String(expires));
      url.searchParams.set('signature', signature);
      const text = url.toString();
      if (!last && lastSigned.size >= SIGNED_URLS_KEPT) lastSigned.delete(lastSigned.keys().next().value!);
      lastSigned.set(key, { expires, downloadName, base, url: text });
      return text;
    },
  };
}

/** Keys whose last signed URL is kept (one entry each, replaced every second a key is polled). */
const SIGNED_URLS_KEPT = 1_000;

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
