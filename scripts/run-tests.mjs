#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner.
// Pass path fragments to run a subset: `npm run test:only -- eeprom updi/link`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
let files;
try {
  files = walk(root).sort();
} catch {
  console.error('error: no compiled tests in dist/test; run `npm run build` first');
  process.exit(2);
}
const filters = process.argv.slice(2);
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (!files.length) {
  console.error('error: no test files matched');
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
