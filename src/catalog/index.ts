export type { Catalog, ResourceGroup } from './types.js';
export { createCatalog } from './catalog.js';
export { googleCatalog } from './google.js';
