import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO_ROOT } from '../helpers/cli.js';

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('--help lists the commands and exit codes', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ltobms/);
  assert.match(r.stdout, /Exit codes: 0 success, 1 the job failed, 2 bad usage/);
});

test('an unknown command is a usage error (exit 2) with one error line', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: unknown command 'frobnicate'/m);
});
