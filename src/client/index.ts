/**
 * A typed client for Data Portability API v1 servers (Dataport or Google's), used by `dataport export` and
 * the tests: the six methods, Google's errors as PortabilityApiError, and the OAuth pieces a native app
 * needs (endpoint discovery, PKCE, code exchange).
 */
export { createPortabilityClient, type PortabilityClient, type PortabilityClientOptions } from './client.js';
export { PortabilityApiError, parseErrorResponse } from './errors.js';
export {
  discoverAuthorizationServer,
  createPkcePair,
  buildAuthorizationUrl,
  exchangeAuthorizationCode,
  refreshAccessToken,
  scopeForGroup,
  type AuthorizationServer,
  type TokenResponse,
} from './oauth.js';
export type * from './types.js';
