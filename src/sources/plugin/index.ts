export { loadPluginSource } from './load-plugin.js';
