export { createHttpSource, type HttpSourceOptions } from './source.js';
