#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install`, `npm ci` and `npm pack` build too): compiles src/ to dist/
// with tsc, removes what a deleted or renamed source left behind (tsc builds incrementally and never deletes),
// copies the data files modules read beside themselves, and stamps the build. In a checkout, bin/dataport.js
// runs dist/ only while the stamp is newer than every file under src/; an installed package runs dist/ always.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const DATA_FILES = ['catalog/google-resource-groups.json'];
// npm names the command it runs scripts for: a package must never be packed without its compiled server.
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (packing) {
    console.error('dataport build: typescript is not installed, and a package without dist/ cannot run; `npm ci` first');
    process.exit(1);
  }
  // An install without devDependencies (npm ci --omit=dev): the sources still run, through tsx.
  console.warn('dataport build: typescript is not installed; bin/dataport.js will run the TypeScript sources with tsx');
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

for (const name of readdirSync(`${root}dist`, { recursive: true })) {
  const source = name.replace(/\.js(\.map)?$/, '.ts');
  if (source !== name && !existsSync(`${root}src/${source}`)) rmSync(`${root}dist/${name}`);
}
for (const file of DATA_FILES) {
  mkdirSync(`${root}dist/${file.slice(0, file.lastIndexOf('/'))}`, { recursive: true });
  // Through a rename: a server starting meanwhile (a test beside `npm pack`) reads the old file or the new one.
  copyFileSync(`${root}src/${file}`, `${root}dist/${file}.tmp`);
  renameSync(`${root}dist/${file}.tmp`, `${root}dist/${file}`);
}
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
