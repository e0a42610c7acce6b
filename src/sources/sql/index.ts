export { createSqlSource, dialectOf, type SqlSourceOptions } from './source.js';
export { compileNamedParameters, SQL_PARAMETERS, type SqlDialect } from './named-parameters.js';
export { toRfc3339 } from './values.js';
