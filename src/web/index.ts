export { webRoutes, type WebDeps } from './routes.js';
export { loadLocales, type Locales, type Messages } from './i18n.js';
export { createSigner, type Signer } from './signed-values.js';
export { errorPage } from './layout.js';
export { logoutPage, logoutDonePage } from './logout-page.js';
export { PAGE_HEADERS } from './page-headers.js';
