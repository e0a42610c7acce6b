export { createTokenService, AuthError, ACCESS_MODES, type TokenService, type NewGrant } from './tokens.js';
export { createAccountService, AccountError, type AccountService, type SignInResult } from './accounts.js';
export { createClientService, ClientError, type ClientService, type RegisteredClient, type NewClient } from './clients.js';
export { createAccountOverview, type AccountOverview } from './account-overview.js';
export { createOauthServer, ConsentError, INTERACTION_PATH, type OauthServer, type ConsentChoice } from './oauth-server.js';
export { oauthRoutes } from './oauth-routes.js';
export { createUpstreamSignIn, UpstreamSignInError, type UpstreamSignIn, type UpstreamOidcConfig, type UpstreamIdentity } from './upstream-oidc.js';
export { generatePassword } from './passwords.js';
export { createOperatorService, type OperatorService } from './operators.js';
