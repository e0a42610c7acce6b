export { createHttpSource, NEXT_PAGE_HEADER, type HttpSourceOptions } from './source.js';
