export { createSecretBox, type SecretBox } from './secret-box.js';
export { createWebhookEndpoints, checkWebhookUrl, newWebhookSecret, WebhookError, DEFAULT_ROTATION_GRACE_MS, type WebhookEndpoints, type EndpointDescription } from './endpoints.js';
export { createWebhookDelivery, parseRetryAfter, type WebhookDelivery, type WebhookDeliveryDeps } from './delivery.js';
export { signDelivery, verifyDelivery } from './signature.js';
