export { createSecretBox, type SecretBox } from './secret-box.js';
export { createWebhookEndpoints, WebhookError, type WebhookEndpoints, type EndpointDescription } from './endpoints.js';
export { createWebhookDelivery, parseRetryAfter, type WebhookDeliveryDeps } from './delivery.js';
