export { loadPluginSource, PluginLoadError } from './load-plugin.js';
