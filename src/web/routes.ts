import querystring from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './account-routes.js';
import { adminRoutes } from './admin/routes.js';
import { interactionRoutes } from './interaction-routes.js';
import { errorPage } from './layout.js';
import { createPageContext, type WebDeps } from './page-context.js';
import { PAGE_HEADERS } from './page-headers.js';
import { upstreamRoutes } from './upstream-routes.js';

export type { WebDeps } from './page-context.js';

/** Sign-in, consent and account pages, server-rendered. Every POST checks a CSRF token; pages are never cached. */
export async function webRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const page = createPageContext(deps);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, querystring.parse(String(body))),
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.headers(PAGE_HEADERS);
    return payload;
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ err: error }, 'page failed');
    const t = page.language(request);
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(t, status === 500 ? t.t('error.title') : error.message));
  });

  // Each group of pages registers its own routes here, under the parser, headers and error page above.
  if (deps.admin) await app.register(adminRoutes, deps.admin);
  interactionRoutes(app, page);
  upstreamRoutes(app, page);
  accountRoutes(app, page);
}
