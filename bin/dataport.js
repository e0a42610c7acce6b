#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (`npm run build`; `npm install` and `npm ci` build it) when it is
// at least as new as every file under src/; otherwise the TypeScript sources through tsx, so an edit is
// never shadowed by a stale build and a checkout without a build still works. The compiled server starts
// faster and in far less memory: tsx compiles every module at start, which was most of an idle server's RSS.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function compiledIsCurrent() {
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  for (const name of readdirSync(`${root}src`, { recursive: true })) {
    if (statSync(`${root}src/${name}`).mtimeMs > built) return false;
  }
  return true;
}

if (compiledIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
