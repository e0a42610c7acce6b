// Preloaded into a `dataport` child process (NODE_OPTIONS=--import=...) by tests that check what it loads:
// writes a line to stderr for every OpenTelemetry module the process resolves.
import { registerHooks } from 'node:module';

const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const m = /\/node_modules\/(@opentelemetry\/[^/]+)\//.exec(resolved.url);
    if (m && !seen.has(m[1])) {
      seen.add(m[1]);
      process.stderr.write(`opentelemetry module loaded: ${m[1]}\n`);
    }
    return resolved;
  },
});
