import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/**
 * Compresses responses for clients that send `Accept-Encoding: gzip` (or deflate), as Google's front end
 * does: the discovery document is about 49 KB of JSON and gzips to a tenth of that. Brotli and zstd are
 * left out: Google's clients ask for gzip, and they cost more CPU per response on a small server. Request
 * bodies are not inflated: the API's bodies are a few hundred bytes. Archive downloads opt out on their route.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    global: true,
    encodings: ['gzip', 'deflate'],
    globalDecompression: false,
    // Batch answers (JSON in multipart/mixed) shrink like JSON; mime-db does not call the type compressible.
    customTypes: /^multipart\/mixed\s*(;|$)/i,
  });
}
