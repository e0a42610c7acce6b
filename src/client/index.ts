/**
 * A typed client for Data Portability API v1 servers (Dataport or Google's), used by `dataport export` and
 * the tests: the six methods, Google's errors as PortabilityApiError, and the OAuth pieces a native app
 * needs (endpoint discovery, PKCE, code exchange).
 */
export { createPortabilityClient, type PortabilityClient, type PortabilityClientOptions } from './client.js';
export { PortabilityApiError, PortabilityTransportError, parseErrorResponse } from './errors.js';
export {
  discoverAuthorizationServer, createPkcePair, buildAuthorizationUrl, exchangeAuthorizationCode, refreshAccessToken, scopeForGroup,
  OAuthError, GOOGLE_AUTHORIZATION_ENDPOINT, GOOGLE_TOKEN_ENDPOINT, type AuthorizationServer, type TokenResponse,
} from './oauth.js';
export type * from './types.js';
