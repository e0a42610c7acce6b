export { createFilesSource, type FilesSourceOptions } from './source.js';
