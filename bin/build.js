#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` / `npm ci` build too): compiles src/ to dist/ with tsc,
// copies the data files modules read beside themselves, and stamps the build. bin/dataport.js runs dist/
// only while the stamp is newer than every file under src/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without devDependencies (npm ci --omit=dev): the sources still run, through tsx.
  console.warn('dataport build: typescript is not installed; bin/dataport.js will run the TypeScript sources with tsx');
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
for (const file of ['catalog/google-resource-groups.json']) {
  mkdirSync(`${root}dist/${file.slice(0, file.lastIndexOf('/'))}`, { recursive: true });
  copyFileSync(`${root}src/${file}`, `${root}dist/${file}`);
}
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
