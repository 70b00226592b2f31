/**
 * The npm package as a user gets it: `npm pack`, the tarball unpacked and its dependencies
 * installed from npm's cache (offline: the lockfile's tarballs; no registry traffic), then its
 * own bin run from an unrelated folder — `ltobms demo` on a scenario shipped in the package, with
 * a PATH that holds no avr-gcc. Also what the tarball must carry: LICENSE, README, docs/,
 * examples/, .env.example, the prebuilt firmware with its sums, the compiled CLI; no tests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/cli.js';

let work: string;
let files: string[];
let installed: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ltobms-tarball-'));
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT, stdin: 'ignore' });
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  await mkdir(join(work, 'unpacked'));
  await execa('tar', ['-xzf', join(work, info.filename), '-C', join(work, 'unpacked')]);
  installed = join(work, 'unpacked', 'package');
  // npm ships no lockfile; the repository's pins the same dependency versions, which npm's cache holds
  await copyFile(join(REPO_ROOT, 'package-lock.json'), join(installed, 'package-lock.json'));
  await execa('npm', ['ci', '--offline', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: installed, stdin: 'ignore' });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('carries what the README points at, and no tests', () => {
    for (const file of ['LICENSE', 'README.md', '.env.example', 'bin/ltobms', 'dist/src/cli/program.js', 'firmware/prebuilt/SHA256SUMS', 'firmware/prebuilt/main-LTO-0.1.0.hex', 'firmware/prebuilt/main-NAION-0.1.0.elf', 'firmware/fuses.hex', 'examples/scenarios/discharge-uvlo.yaml', 'docs/scenarios.md']) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('test/')), 'no tests');
  });

  it("its bin runs the demo from another folder on a scenario the package ships, without avr-gcc", async () => {
    const path = join(work, 'path');
    await mkdir(path);
    // socat only until the demo wires the virtual board in-process (issue 10); then node alone
    for (const program of ['node', 'socat']) {
      const { stdout } = await execa('sh', ['-c', `command -v ${program}`]);
      await symlink(stdout.trim(), join(path, program));
    }
    const cwd = join(work, 'user');
    await mkdir(cwd);
    const r = await execa(process.execPath, [join(installed, 'bin/ltobms'), 'demo', '--scenario', join(installed, 'examples/scenarios/discharge-uvlo.yaml')], {
      cwd,
      reject: false,
      env: { PATH: path, HOME: cwd, NO_COLOR: '1' },
      extendEnv: false,
      stdin: 'ignore',
      timeout: 240_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /avr-gcc not found: using the prebuilt release firmware 0\.1\.0/);
    assert.match(r.stdout, /LTO board, serial 7: \d+ frames/);
    assert.match(r.stdout, /frames written to ltobms-data\/log\/\d{4}-\d\d-\d\d\.lp/);
  });
});
