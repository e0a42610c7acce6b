export { closeApiServer, createApiServer, type ApiServerDeps } from './server.js';
export { type GoogleErrorBody, type RpcStatus } from './google-errors.js';
export { ReadinessDetail } from './readiness.js';
