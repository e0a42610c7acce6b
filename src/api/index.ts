export { closeApiServer, createApiServer, type ApiServerDeps } from './server.js';
export { googleError, RPC_STATUS, JOB_ERROR_MAPPING, type GoogleErrorBody, type RpcStatus } from './google-errors.js';
