/**
 * The firmware's logic modules (firmware/src, no register access) compiled for the host with
 * gcc -Wall -Wextra -Werror and the undefined-behaviour sanitizer, once per chemistry, running
 * the C checks in firmware/test. The C harness reports its counts; the number of tests must
 * match the TEST(...) definitions in the sources, so a test that is defined but never run fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/cli.js';

const FIRMWARE = join(REPO_ROOT, 'firmware');

async function cFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
}

describe('firmware logic on the host', () => {
  let dir: string;
  let definedTests = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ltobms-hosttest-'));
    for (const file of await cFiles(join(FIRMWARE, 'test'))) {
      definedTests += ((await readFile(file, 'utf8')).match(/^TEST\(/gm) ?? []).length;
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const chemistry of ['LTO', 'NAION']) {
    it(`all checks pass for ${chemistry}`, async () => {
      const exe = join(dir, `logic-${chemistry}`);
      const sources = [...(await cFiles(join(FIRMWARE, 'src'))), ...(await cFiles(join(FIRMWARE, 'test')))];
      await execa('gcc', [
        '-std=c11',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-O1',
        '-fsanitize=undefined',
        '-fno-sanitize-recover=all',
        `-DCELL_${chemistry}`,
        `-I${join(FIRMWARE, 'src')}`,
        ...sources,
        '-o',
        exe,
      ]);
      const run = await execa(exe, [], { reject: false });
      assert.equal(run.exitCode, 0, run.stderr);
      const m = /^chemistry=(\w+) tests=(\d+) checks=(\d+) failed=(\d+)$/m.exec(run.stdout);
      assert.ok(m, `summary line missing in: ${run.stdout}`);
      assert.equal(m[1], chemistry);
      assert.equal(Number(m[2]), definedTests, 'every TEST() is RUN');
      assert.equal(Number(m[4]), 0);
      assert.ok(Number(m[3]) > 1000, `only ${m[3]} checks ran`);
    });
  }

  it('a failing check makes the harness exit 1 and name the file:line', async () => {
    const exe = join(dir, 'failing');
    const probe = join(dir, 'probe.c');
    await writeFile(probe, '#include "check.h"\nint main(void) { CHECK_EQ(1 + 1, 3); return check_failed ? 1 : 0; }\n');
    await execa('gcc', ['-std=c11', `-I${join(FIRMWARE, 'test')}`, join(FIRMWARE, 'test/check.c'), probe, '-o', exe]);
    const run = await execa(exe, [], { reject: false });
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /probe\.c:2: 1 \+ 1 == 2, expected 3 == 3/);
  });
});
