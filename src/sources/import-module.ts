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
  return import(specifier);
}
