import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../../web/html.js';

export interface LoopbackReceiver {
  /** `http://127.0.0.1:<port>/callback`: the redirect URI to register and send. */
  redirectUri: string;
  /** Resolves with the authorization code once the browser comes back with `state`. */
  waitForCode(state: string, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p>`;

/**
 * The native-app redirect of RFC 8252: a one-shot HTTP listener on the loopback interface that receives the
 * authorization response. Port 0 picks a free port (Google and Dataport accept any port on loopback); a server that
 * matches redirect URIs exactly needs the registered port, given with --redirect-port.
 */
export async function startLoopbackReceiver(port: number): Promise<LoopbackReceiver> {
  let deliver: ((query: URLSearchParams) => void) | undefined;
  const pending: URLSearchParams[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const ok = url.searchParams.has('code');
    response
      .writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        ok
          ? PAGE('Authorized', 'dataport has the authorization. You can close this window and go back to the terminal.')
          : PAGE(
              'Not authorized',
              `The authorization server said: ${escapeHtml(url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? 'no code')}.`,
            ),
      );
    if (deliver) deliver(url.searchParams);
    else pending.push(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${actual}/callback`,
    waitForCode(state, signal) {
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        deliver = (query) => {
          // A response for another authorization (an old tab) is not ours: keep waiting.
          if (query.get('state') !== state) return;
          signal.removeEventListener('abort', onAbort);
          const code = query.get('code');
          if (code) resolve(code);
          else
            reject(
              new Error(
                `authorization refused: ${query.get('error') ?? 'no code'}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}`,
              ),
            );
        };
        for (const query of pending.splice(0)) deliver(query);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
