/**
 * `import()` of a source's own module (a plugin, a shard producer), TypeScript included: tsx is registered
 * by the first `.ts` module met in a thread that runs compiled JavaScript (dist/ runs without it). Under tsx
 * or vitest this file is itself TypeScript, and such modules load as they are.
 */
let typescriptLoads = import.meta.url.endsWith('.ts');

export async function importModule(specifier: string): Promise<unknown> {
  if (!typescriptLoads && /\.[cm]?tsx?$/.test(specifier)) {
    const { register } = await import('tsx/esm/api');
    register();
    typescriptLoads = true;
  }
  const namespace = (await import(specifier)) as { default?: unknown };
  // Outside a package with "type": "module" (an operator's plugin folder, usually), tsx compiles a `.ts` module
  // to CommonJS, and its ES exports arrive as `default`, marked __esModule: those are the module's exports.
  const inner = namespace.default as { __esModule?: unknown } | null | undefined;
  return typeof inner === 'object' && inner !== null && inner.__esModule === true ? inner : namespace;
}
