export { createTokenService, hashToken, AuthError, GRANT_LIFETIME_MS, ACCESS_MODES, type TokenService, type NewGrant } from './tokens.js';
