export { createSqlSource, type SqlSourceOptions } from './source.js';
export { compileNamedParameters, type SqlDialect } from './named-parameters.js';
export { toRfc3339 } from './values.js';
