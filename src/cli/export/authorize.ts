import { randomBytes } from 'node:crypto';
import {
  buildAuthorizationUrl, createPkcePair, discoverAuthorizationServer, exchangeAuthorizationCode, scopeForGroup,
} from '../../client/index.js';
import { startLoopbackReceiver } from './loopback.js';
import { openInBrowser } from './open-browser.js';

export interface AuthorizeOptions {
  server: string;
  clientId: string;
  clientSecret?: string | undefined;
  resources: readonly string[];
  /** Loopback port for the redirect; 0 for any free one. */
  redirectPort: number;
  openBrowser: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * The OAuth 2.0 authorization-code flow of a native app (RFC 8252) with PKCE S256: print the authorization
 * URL (and open it when there is a browser), receive the code on a loopback redirect, trade it for a token.
 */
export async function authorizeInteractively(options: AuthorizeOptions): Promise<string> {
  const endpoints = await discoverAuthorizationServer(options.server);
  const scopes = options.resources.map((group) => scopeForGroup(group, []));
  const knownScopes = await discoveryScopes(options.server);
  const requested = knownScopes.length > 0 ? options.resources.map((group) => scopeForGroup(group, knownScopes)) : scopes;
  const receiver = await startLoopbackReceiver(options.redirectPort);
  try {
    const pkce = createPkcePair();
    const state = randomBytes(16).toString('base64url');
    const url = buildAuthorizationUrl({
      authorizationEndpoint: endpoints.authorizationEndpoint,
      clientId: options.clientId,
      redirectUri: receiver.redirectUri,
      scopes: requested,
      state,
      codeChallenge: pkce.challenge,
    });
    options.log(`Authorize access to ${options.resources.join(', ')} in a browser:\n\n  ${url}\n`);
    if (options.openBrowser && (await openInBrowser(url))) options.log('(opened in your browser)');
    options.log(`waiting for the authorization on ${receiver.redirectUri} ...`);
    const code = await receiver.waitForCode(state, options.signal);
    const token = await exchangeAuthorizationCode({
      tokenEndpoint: endpoints.tokenEndpoint,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      code,
      redirectUri: receiver.redirectUri,
      codeVerifier: pkce.verifier,
    });
    const granted = token.scope ? token.scope.split(' ').length : requested.length;
    options.log(`authorized (${granted} of ${requested.length} scope(s) granted)`);
    return token.access_token;
  } finally {
    await receiver.close();
  }
}

/** The server's OAuth scopes from its discovery document; empty when it has none to offer. */
async function discoveryScopes(server: string): Promise<string[]> {
  try {
    const response = await fetch(`${server.replace(/\/+$/, '')}/$discovery/rest?version=v1`);
    if (!response.ok) return [];
    const doc = (await response.json()) as { auth?: { oauth2?: { scopes?: Record<string, unknown> } } };
    return Object.keys(doc.auth?.oauth2?.scopes ?? {});
  } catch {
    return [];
  }
}
