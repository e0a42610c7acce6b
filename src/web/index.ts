export { webRoutes, type WebDeps } from './routes.js';
export { loadLocales, type Locales, type Messages } from './i18n.js';
export { createSigner, type Signer } from './signed-values.js';
export { errorPage } from './layout.js';
