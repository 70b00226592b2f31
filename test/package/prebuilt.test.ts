/**
 * The prebuilt release firmware (firmware/prebuilt/): a reproducible build and the demo's fallback.
 *
 * - `ltobms build` run from a private copy of the package at another path, into another output
 *   folder, with the Debian toolchain, makes exactly the committed bytes (hex and elf) and their
 *   SHA256SUMS lines: a path, a timestamp or a version string that leaked into an image fails here.
 * - The embedded version string is the package version, in the `ltobms-fw <ver> <CHEM>` grammar.
 * - A prebuilt file that does not match SHA256SUMS is refused.
 * - `ltobms demo` with a PATH that holds no avr-gcc says it uses the prebuilt image and runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { embeddedVersion } from '../../src/production/firmware.js';
import { readProgramImage } from '../../src/updi/image-file.js';
import { parseSums, prebuiltFirmware, prebuiltVersion, PREBUILT_CHEMISTRIES, PREBUILT_DIR, sha256 } from '../../src/firmware/prebuilt.js';
import { LtobmsError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { copyPackage } from '../helpers/package-copy.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ltobms-prebuilt-test-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});


/** A folder holding only symlinks to the named programs: a PATH without the rest of the machine. */
async function pathWith(programs: string[]): Promise<string> {
  const dir = await mkdtemp(join(work, 'path-'));
  for (const program of programs) {
    const { stdout } = await execa('sh', ['-c', `command -v ${program}`]);
    await symlink(stdout.trim(), join(dir, program));
  }
  return dir;
}

describe('prebuilt release firmware', () => {
  it('is what ltobms build makes today, byte for byte, from another path (reproducible build)', async () => {
    const version = await prebuiltVersion();
    // another path than the repository's: a path that leaked into an image would show
    const pkg = await copyPackage(work, 'another/place/pkg');
    const cwd = join(work, 'elsewhere');
    await mkdir(cwd);
    const built = await execa(process.execPath, [join(pkg, 'bin/ltobms'), 'build', '--fw-version', version, '--out', 'rebuilt'], {
      cwd,
      reject: false,
      env: { NO_COLOR: '1' },
      stdin: 'ignore',
    });
    assert.equal(built.exitCode, 0, built.stderr);
    const sums = parseSums(await readFile(join(PREBUILT_DIR, 'SHA256SUMS'), 'utf8'));
    assert.equal(sums.size, PREBUILT_CHEMISTRIES.length * 2, 'one hex and one elf per chemistry');
    for (const chemistry of PREBUILT_CHEMISTRIES) {
      for (const ext of ['hex', 'elf']) {
        const name = `main-${chemistry}-${version}.${ext}`;
        const rebuilt = await readFile(join(cwd, 'rebuilt', name));
        const shipped = await readFile(join(PREBUILT_DIR, name));
        assert.ok(rebuilt.equals(shipped), `${name}: the rebuild differs from firmware/prebuilt (run npm run firmware:prebuilt after changing the firmware or the version)`);
        assert.equal(sums.get(name), sha256(rebuilt), `${name}: SHA256SUMS`);
      }
    }
  });

  it('carries the package version in the ltobms-fw grammar the production line parses', async () => {
    const version = await prebuiltVersion();
    for (const chemistry of PREBUILT_CHEMISTRIES) {
      const firmware = await prebuiltFirmware(chemistry);
      const elf = await readFile(firmware.elf);
      const text = /ltobms-fw [^\0]+/.exec(elf.toString('latin1'))?.[0];
      assert.equal(text, `ltobms-fw ${version} ${chemistry}`);
      for (const file of [firmware.hex, firmware.elf]) {
        const image = await readProgramImage(file);
        assert.deepEqual(embeddedVersion(image.memories.flash), { version, chemistry, debug: false }, file);
      }
    }
  });

  it('refuses a prebuilt file that does not match SHA256SUMS', async () => {
    const dir = join(work, 'damaged');
    await cp(PREBUILT_DIR, dir, { recursive: true });
    const version = await prebuiltVersion();
    const hex = join(dir, `main-LTO-${version}.hex`);
    const text = await readFile(hex, 'utf8');
    await writeFile(hex, text.replace(':10', ':11'));
    await assert.rejects(prebuiltFirmware('LTO', dir), (err: unknown) => err instanceof LtobmsError && err.code === 'PREBUILT_CORRUPT');
    await assert.doesNotReject(prebuiltFirmware('NAION', dir));
  });

  it('ltobms demo without avr-gcc says it uses the prebuilt image and runs the demo', async () => {
    // Node alone: no avr-gcc (the prebuilt image), no socat (the board is wired in-process).
    const path = await pathWith(['node']);
    const cwd = await mkdtemp(join(work, 'demo-'));
    const r = await execa(process.execPath, [join(REPO_ROOT, 'bin/ltobms'), 'demo', '--chemistry', 'NAION', '--scenario', join(REPO_ROOT, 'examples/scenarios/discharge-uvlo.yaml')], {
      cwd,
      reject: false,
      env: { PATH: path, NO_COLOR: '1', HOME: cwd },
      extendEnv: false,
      stdin: 'ignore',
      timeout: 240_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const version = await prebuiltVersion();
    const said = r.stderr.split('\n').filter((l) => l.includes('prebuilt'));
    assert.equal(said.length, 1, r.stderr);
    assert.match(said[0]!, new RegExp(`avr-gcc not found: using the prebuilt release firmware ${version.replace(/\./g, '\\.')} \\(.*main-NAION-${version.replace(/\./g, '\\.')}\\.hex`));
    assert.match(r.stdout, /NAION board, serial 7: [1-9]\d* frames/);
  });

  it('ltobms sim --firmware prebuilt runs the shipped image of the chemistry and says which', async () => {
    const cwd = await mkdtemp(join(work, 'sim-'));
    const r = await execa(process.execPath, [join(REPO_ROOT, 'bin/ltobms'), 'sim', '--firmware', 'prebuilt', '--eeprom', '--chemistry', 'NAION', '--speed', 'max', '--json', '--scenario', join(REPO_ROOT, 'examples/scenarios/discharge-uvlo.yaml')], {
      cwd,
      reject: false,
      env: { NO_COLOR: '1' },
      stdin: 'ignore',
      timeout: 240_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const version = await prebuiltVersion();
    assert.match(r.stderr, new RegExp(`^sim: prebuilt release firmware ltobms-fw ${version.replace(/\./g, '\\.')} NAION \\(.*main-NAION-`, 'm'));
    const ended = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; t?: number; state?: string | null }).find((e) => e.event === 'ended');
    // the firmware ran: 40 simulated minutes passed (time only runs while firmware runs) and it reports a state
    assert.ok(ended && ended.t !== undefined && ended.t >= 40 * 60, r.stdout);
    assert.ok(ended.state, r.stdout);
  });
});
