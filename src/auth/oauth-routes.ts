import type { FastifyInstance } from 'fastify';
import type { OauthServer } from './types.js';

/**
 * Hands the provider's endpoints (under /oauth, plus its metadata under /.well-known) to oidc-provider as raw
 * Node requests. The provider reads request bodies itself, so this plugin's content-type parser leaves them
 * unread. RFC 8414 metadata is the provider's discovery document, served at the RFC's path.
 */
export async function oauthRoutes(app: FastifyInstance, opts: { oauth: OauthServer; issuer: () => string }): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  const pass = (rewriteTo?: string) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    reply.hijack();
    if (rewriteTo) {
      const query = request.raw.url!.indexOf('?');
      request.raw.url = rewriteTo + (query === -1 ? '' : request.raw.url!.slice(query));
    }
    // Koa's handler settles once the provider has answered (its errors become the provider's error answers).
    await opts.oauth.handler(opts.issuer())(request.raw, reply.raw);
  };
  const methods = ['GET', 'POST', 'OPTIONS'] as ('GET' | 'POST' | 'OPTIONS')[];
  app.route({ method: methods, url: '/oauth/*', handler: pass() });
  app.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/openid-configuration', handler: pass() });
  app.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/oauth-authorization-server', handler: pass('/.well-known/openid-configuration') });
}
