/**
 * `ltobms build` and `ltobms clean` through the real CLI and the real toolchain.
 *
 * Builds run from an unrelated working directory (the firmware is found relative to the
 * package). Tests that edit firmware sources do so in a private copy of the package
 * (bin, dist/src, firmware, package.json, node_modules linked), never in the repository.
 * Expected values come from the datasheet / HARDWARE.md and from binutils (avr-size),
 * not from the build code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseIntelHex } from '../../src/image/ihex.js';
import { embeddedVersion } from '../../src/production/firmware.js';
import { readProgramImage } from '../../src/updi/image-file.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { copyPackage } from '../helpers/package-copy.js';

interface JsonBuild {
  chemistry: string;
  version: string;
  debug: boolean;
  artifacts: Record<string, string>;
  memory: { flash: number; ram: number; eeprom: number };
  withinLimits: boolean;
  withinBudget: boolean;
  compiled: number;
  linked: boolean;
}

function parseReport(r: CliResult): { builds: JsonBuild[] } {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { builds: JsonBuild[] };
}

/** CRC-16/MODBUS written out here from its definition (HARDWARE.md), independent of the firmware. */
function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Section sizes as avr-size -A reports them. */
async function avrSize(elf: string): Promise<Record<string, number>> {
  const { stdout } = await execa('avr-size', ['-A', elf]);
  const sizes: Record<string, number> = {};
  for (const m of stdout.matchAll(/^(\.\S+)\s+(\d+)\s+\d+$/gm)) sizes[m[1]] = Number(m[2]);
  return sizes;
}

async function mtimes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out.set(path, (await stat(path)).mtimeMs);
    }
  }
  return out;
}


function runPackageCli(pkg: string, args: string[], cwd: string): Promise<CliResult> {
  return execa(process.execPath, [join(pkg, 'bin/ltobms'), ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1' },
    stdin: 'ignore',
  }).then((r) => ({
    code: r.exitCode ?? null,
    signal: null,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    stdoutBytes: Buffer.from(String(r.stdout)),
  }));
}

describe('ltobms build', () => {
  let tmp: string;
  let cwd: string;
  let out: string;
  let first: JsonBuild;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ltobms-build-'));
    cwd = join(tmp, 'elsewhere');
    out = join(tmp, 'out');
    await mkdir(cwd);
    const r = await runCli(['build', '--chemistry', 'NAION', '--fw-version', 'v9.9.9-test', '--out', out, '--json'], { cwd });
    [first] = parseReport(r).builds;
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('writes the artefacts under their original names, from any working directory', async () => {
    const names = (await readdir(out)).filter((n) => !n.startsWith('.') && n !== 'obj').sort();
    assert.deepEqual(names, [
      'eeprom-NAION-v9.9.9-test.bin',
      'eeprom-NAION-v9.9.9-test.hex',
      'main-NAION-v9.9.9-test.bin',
      'main-NAION-v9.9.9-test.elf',
      'main-NAION-v9.9.9-test.hex',
      'main-NAION-v9.9.9-test.map',
    ]);
    assert.equal(first.chemistry, 'NAION');
    assert.equal(first.version, 'v9.9.9-test');
    assert.equal(first.artifacts.elf, join(out, 'main-NAION-v9.9.9-test.elf'));
  });

  it('reports the sizes avr-size sees, within the part and the 4 KB / 256 B budget', async () => {
    const sizes = await avrSize(first.artifacts.elf);
    assert.equal(first.memory.flash, (sizes['.text'] ?? 0) + (sizes['.rodata'] ?? 0) + (sizes['.data'] ?? 0));
    assert.equal(first.memory.ram, (sizes['.data'] ?? 0) + (sizes['.bss'] ?? 0));
    assert.equal(first.memory.eeprom, 20);
    assert.ok(first.memory.flash <= 4096, `flash ${first.memory.flash} B`);
    assert.ok(first.memory.ram <= 256, `RAM ${first.memory.ram} B`);
    assert.equal(first.withinBudget, true);
    assert.equal(first.withinLimits, true);
  });

  it('puts only flash in the .hex/.bin, with the version string baked in', async () => {
    const segments = parseIntelHex(await readFile(first.artifacts.hex, 'utf8'));
    const end = Math.max(...segments.map((s) => s.address + s.data.length));
    assert.ok(segments.every((s) => s.address < 0x2000) && end <= 0x2000, 'nothing outside the 8 KB flash');
    const bin = await readFile(first.artifacts.bin);
    assert.equal(bin.length, first.memory.flash);
    assert.ok(bin.includes(Buffer.from('ltobms-fw v9.9.9-test NAION')), 'version string in flash');
    assert.equal(bin.readUInt16LE(0) & 0xf000, 0xc000, 'first word is an RJMP (reset vector)');
  });

  it('extracts the default Na-ion configuration block as the EEPROM image', async () => {
    const image = await readFile(first.artifacts.eepromBin);
    assert.equal(image.length, 20);
    // HARDWARE.md table: magic, serial 0, temp_offset 0, 3900, 3800, 2200, 2000, 1000 mA, 10 s
    const fields = Array.from({ length: 9 }, (_, i) => image.readUInt16LE(2 * i));
    assert.deepEqual(fields, [0x7337, 0, 0, 3900, 3800, 2200, 2000, 1000, 10]);
    assert.equal(modbusCrc(image.subarray(0, 18)), image.readUInt16LE(18));
    assert.equal(modbusCrc(image), 0);
    const [segment] = parseIntelHex(await readFile(first.artifacts.eepromHex, 'utf8'));
    assert.equal(segment.address, 0x810000);
    assert.deepEqual(Buffer.from(segment.data), image);
  });

  it('a no-op rebuild runs no compiler: objects and outputs keep their mtimes', async () => {
    const before = await mtimes(out);
    const r = await runCli(['build', '--chemistry', 'NAION', '--fw-version', 'v9.9.9-test', '--out', out, '--json'], { cwd });
    const [again] = parseReport(r).builds;
    assert.equal(again.compiled, 0);
    assert.equal(again.linked, false);
    assert.deepEqual(again.memory, first.memory);
    const after = await mtimes(out);
    for (const [path, t] of before) assert.equal(after.get(path), t, path);
  });

  it('builds both chemistries by default and prints the size table', async () => {
    const both = join(tmp, 'both');
    const r = await runCli(['build', '--out', both, '--fw-version', 'dev'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^LTO\s+\d+ \/ 8192 B \([\d.]+ %\)\s+\d+ \/ 1024 B .*\s+\d+ \/ 128 B .*within/m);
    assert.match(r.stdout, /^NAION\s+\d+ \/ 8192 B/m);
    assert.match(r.stdout, /budget 4096 B \/ 256 B/);
    const lto = await readFile(join(both, 'main-LTO-dev.bin'));
    assert.ok(lto.includes(Buffer.from('ltobms-fw dev LTO')));
    const eeprom = await readFile(join(both, 'eeprom-LTO-dev.bin'));
    assert.deepEqual([2800, 2700, 1800, 1700].map((_, i) => eeprom.readUInt16LE(6 + 2 * i)), [2800, 2700, 1800, 1700]);
    assert.equal(r.stderr, '', 'no progress output when stderr is not a terminal');
  });

  it('--debug builds the debug variant, --lst writes the disassembly', async () => {
    const dbg = join(tmp, 'dbg');
    const r = await runCli(['build', '--chemistry', 'LTO', '--debug', '--lst', '--out', dbg, '--fw-version', 'dev', '--json'], { cwd });
    const [b] = parseReport(r).builds;
    assert.equal(b.debug, true);
    // named apart from the release and saying so inside: the production line tells it by the string
    assert.equal(b.version, 'dev');
    for (const file of Object.values(b.artifacts)) assert.match(file, /[/]\w+-LTO-dev-debug\.\w+$/);
    assert.notEqual(b.artifacts.hex, first.artifacts.hex);
    const image = await readProgramImage(b.artifacts.hex);
    assert.deepEqual(embeddedVersion(image.memories.flash), { version: 'dev-debug', chemistry: 'LTO', debug: true });
    assert.equal(embeddedVersion((await readProgramImage(first.artifacts.hex)).memories.flash)?.debug, false);
    const bin = await readFile(b.artifacts.bin);
    assert.ok(bin.includes(Buffer.from('# eeprom')), 'the EEPROM dump line is compiled in');
    assert.ok(!(await readFile(first.artifacts.bin)).includes(Buffer.from('# eeprom')), 'release has no debug text');
    const lst = await readFile(b.artifacts.lst, 'utf8');
    assert.match(lst, /^[0-9a-f]+ <main>:$/m);
    assert.match(lst, /^[0-9a-f]+ <__vector_14>:$/m, 'the TWI client handler');
  });

  it('rejects bad options with exit 2', async () => {
    const chem = await runCli(['build', '--chemistry', 'LIFEPO4'], { cwd });
    assert.equal(chem.code, 2);
    assert.match(chem.stderr, /^error: --chemistry "LIFEPO4" is not a chemistry the board supports\nhint: .*or all\n/);
    const ver = await runCli(['build', '--fw-version', '../x'], { cwd });
    assert.equal(ver.code, 2);
    assert.match(ver.stderr, /invalid firmware version/);
  });

  it('names the Debian packages when the toolchain is missing', async () => {
    const r = await runCli(['build', '--chemistry', 'LTO', '--out', join(tmp, 'none'), '--fw-version', 'dev'], {
      cwd,
      env: { PATH: join(tmp, 'no-such-dir') },
    });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], /^error: avr-gcc not found: .*gcc-avr avr-libc binutils-avr/);
    assert.equal(lines.filter((l) => l.startsWith('error:')).length, 1);
  });

  it('--help shows examples', async () => {
    const r = await runCli(['build', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n\s+\$ ltobms build/);
  });
});

describe('ltobms build with edited firmware sources (private package copy)', () => {
  let tmp: string;
  let pkg: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ltobms-build-edit-'));
    pkg = await copyPackage(tmp);
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('recompiles exactly the sources that include a touched header', async () => {
    const out = join(tmp, 'out');
    const args = ['build', '--chemistry', 'LTO', '--fw-version', 'dev', '--out', out, '--json'];
    const full = parseReport(await runPackageCli(pkg, args, tmp)).builds[0];
    assert.equal(full.linked, true);
    // Which .c files include ina260.h, found by reading the sources, not the .d files.
    const dirs = ['', 'src', 'hw'];
    let includers = 0;
    for (const d of dirs) {
      for (const f of (await readdir(join(pkg, 'firmware', d))).filter((n) => n.endsWith('.c'))) {
        if ((await readFile(join(pkg, 'firmware', d, f), 'utf8')).includes('#include "ina260.h"')) includers++;
      }
    }
    assert.ok(includers >= 2);
    const later = new Date(Date.now() + 2000);
    await utimes(join(pkg, 'firmware/src/ina260.h'), later, later);
    const again = parseReport(await runPackageCli(pkg, args, tmp)).builds[0];
    assert.equal(again.compiled, includers);
    assert.equal(again.linked, true);
  });

  it('fails a release over the project budget (files written), not a debug build', async () => {
    // a copy of its own: 300 more bytes of flash through the string the linker always keeps
    const own = await copyPackage(tmp, 'budget-pkg');
    const main = join(own, 'firmware/main.c');
    const source = await readFile(main, 'utf8');
    const line = 'const char fw_version[] = "ltobms-fw " FW_VERSION " " CHEM_NAME;';
    assert.ok(source.includes(line), 'main.c still bakes fw_version in one line');
    await writeFile(main, source.replace(line, line.replace(';', ` "\\0${'x'.repeat(300)}";`)));
    const release = await runPackageCli(own, ['build', '--chemistry', 'LTO', '--fw-version', 'dev', '--out', join(tmp, 'budget')], tmp);
    assert.equal(release.code, 1, release.stderr);
    assert.match(release.stdout, /^LTO .* over /m, 'the table still says it');
    assert.match(release.stderr, /^error: the LTO release firmware is over the project budget \(flash (\d+)\/4096, RAM \d+\/256 bytes\)\nhint: /m);
    const flash = Number(/flash (\d+)\/4096/.exec(release.stderr)![1]);
    assert.ok(flash > 4096);
    assert.ok((await stat(join(tmp, 'budget/main-LTO-dev.hex'))).size > 0, 'the image is written');
    const debug = await runPackageCli(own, ['build', '--chemistry', 'LTO', '--debug', '--fw-version', 'dev', '--out', join(tmp, 'budget')], tmp);
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stdout, /^LTO .* over /m);
  });

  it('streams a compile error with its file:line and exits 1', async () => {
    const file = join(pkg, 'firmware/src/crc16.c');
    const lines = (await readFile(file, 'utf8')).split('\n').length;
    await appendFile(file, 'int broken = undeclared_symbol;\n');
    const r = await runPackageCli(pkg, ['build', '--chemistry', 'LTO', '--fw-version', 'dev', '--out', join(tmp, 'err')], pkg);
    assert.equal(r.code, 1);
    // cwd is the package copy, so paths are shown relative to it
    assert.match(r.stderr, new RegExp(`^firmware/src/crc16\\.c:${lines}:\\d+: error: .*undeclared_symbol`, 'm'));
    assert.match(r.stderr, /^error: compile crc16\.c failed \(first error at .*crc16\.c:\d+\)$/m);
    assert.match(r.stderr, /^hint: /m);
  });
});

describe('ltobms clean', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ltobms-clean-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('removes a build folder, reports nothing to do afterwards', async () => {
    const out = join(tmp, 'build');
    assert.equal((await runCli(['build', '--chemistry', 'LTO', '--out', out, '--fw-version', 'dev'], { cwd: tmp })).code, 0);
    const r = await runCli(['clean', '--out', out, '--json'], { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { removed: boolean; files: number };
    assert.equal(report.removed, true);
    assert.ok(report.files > 5);
    await assert.rejects(stat(out));
    const again = await runCli(['clean'], { cwd: tmp });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to clean/);
  });

  it('refuses a folder ltobms build did not make', async () => {
    const other = join(tmp, 'precious');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');
    const r = await runCli(['clean', '--out', other], { cwd: tmp });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: .*not an ltobms build folder/);
    assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'keep me');
  });
});
