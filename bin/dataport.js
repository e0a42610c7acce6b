#!/usr/bin/env node
// Which Dataport runs, the compiled JavaScript in dist/ or the TypeScript sources through tsx:
//
// - An installed package (`npm install -g dataport-*.tgz`: there is no src/ beside bin/) always runs dist/,
//   which `npm pack` builds and ships; tsx is never loaded for the server. Without dist/ it stops with a
//   message, never falls back to anything else.
// - A git checkout (src/ is here) runs dist/ while its build stamp (dist/.built, written by bin/build.js, which
//   `npm install` / `npm ci` run) is at least as new as every file under src/; otherwise the sources through
//   tsx, saying so on stderr, so a developer's edit is never shadowed by a stale build and a checkout without a
//   build still works. The compiled server starts faster and in far less memory: tsx compiles every module at
//   start, which was most of an idle server's RSS.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function builtAt() {
  try {
    return statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return undefined;
  }
}

function sourcesNewerThan(built) {
  return readdirSync(`${root}src`, { recursive: true }).some((name) => statSync(`${root}src/${name}`).mtimeMs > built);
}

if (!existsSync(`${root}src`)) {
  if (!existsSync(`${root}dist/cli/main.js`)) {
    console.error(`dataport: this installation has no compiled server (${root}dist/cli/main.js is missing); reinstall it from a package built by \`npm pack\``);
    process.exit(1);
  }
  await import('../dist/cli/main.js');
} else {
  const built = builtAt();
  if (built !== undefined && !sourcesNewerThan(built)) {
    await import('../dist/cli/main.js');
  } else {
    console.error(
      `dataport: running the TypeScript sources through tsx (${built === undefined ? 'no build in dist/' : 'src/ is newer than the build in dist/'}; \`npm run build\` to run the compiled server)`,
    );
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
  }
}
