// `ltobms eeprom` end to end through the real bin/ltobms, with expected bytes built from
// HARDWARE.md in ./reference.ts and real avr-objcopy for the Intel HEX interop.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { expectedImage, LTO_DEFAULTS, NAION_DEFAULTS, referenceCrc, type Fields } from './reference.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ltobms-eeprom-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const LTO7: Fields = { sn: 7, tempOffset: 0, ...LTO_DEFAULTS };

async function ok(args: string[]) {
  const r = await runCli(['eeprom', ...args]);
  assert.equal(r.code, 0, `ltobms eeprom ${args.join(' ')} → ${r.code}\n${r.stderr}`);
  return r;
}

describe('golden images on stdout', { concurrency: true }, () => {
  const cases: [string[], Fields][] = [
    [['--sn', '7', '--temp-offset', '5'], { ...LTO7, tempOffset: 5 }],
    [['--chemistry', 'NAION', '--sn', '0x2a'], { sn: 42, tempOffset: 0, ...NAION_DEFAULTS }],
    [['--sn', '65535', '--temp-offset', '-32768', '--max-current', '0', '--oclo-timeout', 'ffff'], { ...LTO7, sn: 65535, tempOffset: -32768, maxCurrent: 0, ocloTimeout: 65535 }],
    [['--sn', '0', '--temp-offset=7fff', '--max-current', '65535', '--force'], { ...LTO7, sn: 0, tempOffset: 32767, maxCurrent: 65535 }],
    [['--sn', 'ff', '--uvlo-cutoff', '1_600', '--uvlo-release', ' 1700 '], { ...LTO7, sn: 255, uvloCutoff: 1600, uvloRelease: 1700 }],
  ];
  for (const [args, fields] of cases) {
    test(`ltobms eeprom ${args.join(' ')}`, async () => {
      const r = await ok(args);
      assert.match(r.stdout, /^[0-9a-f]{40}\n$/);
      assert.equal(r.stdout.trim(), expectedImage(fields).toString('hex'));
      assert.equal(r.stderr, '');
    });
  }
});

test('--json prints the decoded fields, CRC and hex string', async () => {
  const r = await ok(['--sn', '7', '--temp-offset', '5', '--json']);
  const j = JSON.parse(r.stdout) as Record<string, unknown> & { fields: Record<string, number> };
  const img = expectedImage({ ...LTO7, tempOffset: 5 });
  assert.deepEqual(j.fields, { serial_number: 7, temp_offset: 5, ovlo_cutoff: 2800, ovlo_release: 2700, uvlo_release: 1800, uvlo_cutoff: 1700, max_current: 1000, oclo_timeout: 10 });
  assert.equal(j.crc, img.readUInt16LE(18));
  assert.equal(j.crcValid, true);
  assert.equal(j.magic, 0x7337);
  assert.equal(j.hex, img.toString('hex'));
  assert.equal(j.chemistry, 'LTO');
  assert.equal(j.matchesChemistry, 'LTO');
});

test('--format raw on a pipe gives the 20 raw bytes', async () => {
  const r = await ok(['--sn', '7', '--format', 'raw']);
  assert.deepEqual(r.stdoutBytes, expectedImage(LTO7));
});

test('round trip: -f x.bin, -f x.hex and the hex string all decode to the given fields', async () => {
  const fields: Fields = { sn: 0x1234, tempOffset: -7, ...NAION_DEFAULTS, uvloCutoff: 1900, ocloTimeout: 30 };
  const args = ['--chemistry', 'naion', '--sn', '1234', '--temp-offset', '-7', '--uvlo-cutoff', '1900', '--oclo-timeout', '30'];
  const want = expectedImage({ ...fields, sn: 1234 });
  const bin = join(dir, 'rt.bin');
  const hex = join(dir, 'rt.hex');
  const [rb, rh, rs] = await Promise.all([ok([...args, '-f', bin]), ok([...args, '--file', hex]), ok(args)]);
  assert.match(rb.stdout, /^wrote .*rt\.bin: raw, serial 1234/);
  assert.match(rh.stdout, /^wrote .*rt\.hex: ihex/);
  assert.deepEqual(readFileSync(bin), want);
  assert.match(readFileSync(hex, 'utf8'), /^:02000004008179/);
  const decoded = await Promise.all([bin, hex, rs.stdout.trim()].map((src) => runCli(['eeprom', 'decode', src, '--json'])));
  for (const d of decoded) {
    assert.equal(d.code, 0, d.stderr);
    const j = JSON.parse(d.stdout) as { fields: Record<string, number>; valid: boolean; hex: string; matchesChemistry: unknown; withinBoundsOf: unknown };
    assert.equal(j.valid, true);
    assert.equal(j.hex, want.toString('hex'));
    assert.deepEqual(j.fields, { serial_number: 1234, temp_offset: -7, ovlo_cutoff: 3900, ovlo_release: 3800, uvlo_release: 2200, uvlo_cutoff: 1900, max_current: 1000, oclo_timeout: 30 });
    assert.equal(j.matchesChemistry, null);
    assert.deepEqual(j.withinBoundsOf, ['NAION']);
  }
});

test('Intel HEX interop with avr-objcopy (the original Makefile step), both directions', async () => {
  const bin = join(dir, 'io.bin');
  const hex = join(dir, 'io.hex');
  await Promise.all([ok(['--sn', '7', '-f', bin]), ok(['--sn', '7', '-f', hex])]);
  const back = join(dir, 'io-back.bin');
  const a = spawnSync('avr-objcopy', ['-I', 'ihex', '-O', 'binary', hex, back], { encoding: 'utf8' });
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(readFileSync(back), readFileSync(bin));
  const objHex = join(dir, 'objcopy.hex');
  const b = spawnSync('avr-objcopy', ['--input-target=binary', '--output-target=ihex', '--change-addresses=0x810000', bin, objHex], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  const d = await runCli(['eeprom', 'decode', objHex]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^serial_number +7 \(0x0007\)$/m);
  assert.match(d.stdout, /^chemistry +LTO \(its default limits\)$/m);
});

test('decode prints every field, magic and CRC validity, and the chemistry', async () => {
  const d = await runCli(['eeprom', 'decode', expectedImage({ ...LTO7, tempOffset: 5 }).toString('hex')]);
  assert.equal(d.code, 0);
  for (const line of [/^magic +0x7337 +valid$/m, /^serial_number +7 /m, /^temp_offset +5 K$/m, /^ovlo_cutoff +2800 mV$/m, /^ovlo_release +2700 mV$/m,
    /^uvlo_release +1800 mV$/m, /^uvlo_cutoff +1700 mV$/m, /^max_current +1000 mA$/m, /^oclo_timeout +10 s$/m, /^crc +0x6ea3 +valid$/m, /^chemistry +LTO/m]) {
    assert.match(d.stdout, line);
  }
});

test('decode of a corrupt CRC or a wrong magic exits 1 with the reason', async () => {
  const badCrc = expectedImage(LTO7);
  badCrc[18] = badCrc[18]! ^ 0xff;
  const badMagic = expectedImage(LTO7);
  badMagic.writeUInt16LE(0xffff, 0);
  badMagic.writeUInt16LE(referenceCrc(badMagic.subarray(0, 18)), 18);
  const crcFile = join(dir, 'badcrc.bin');
  writeFileSync(crcFile, badCrc);
  const [c, m, mj] = await Promise.all([
    runCli(['eeprom', 'decode', crcFile]),
    runCli(['eeprom', 'decode', badMagic.toString('hex')]),
    runCli(['eeprom', 'decode', '--json', badMagic.toString('hex')]),
  ]);
  assert.equal(c.code, 1);
  assert.match(c.stdout, /^crc +0x[0-9a-f]{4} +INVALID \(computed 0x[0-9a-f]{4}\)$/m);
  assert.match(c.stderr, /^error: .*badcrc\.bin is not a valid configuration: CRC is/m);
  assert.match(c.stderr, /^hint: /m);
  assert.equal(m.code, 1);
  assert.match(m.stdout, /^magic +0xffff +INVALID$/m);
  assert.match(m.stderr, /^error: the hex string is not a valid configuration: magic is 0xffff, not 0x7337$/m);
  assert.equal(mj.code, 1);
  assert.equal((JSON.parse(mj.stdout) as { valid: boolean }).valid, false);
});

test('-f replaces an existing file whole and leaves no temporary files', async () => {
  const sub = mkdtempSync(join(dir, 'atomic-'));
  const file = join(sub, 'cfg.bin');
  writeFileSync(file, Buffer.alloc(100, 0xee));
  await ok(['--sn', '9', '-f', file]);
  assert.deepEqual(readFileSync(file), expectedImage({ ...LTO7, sn: 9 }));
  assert.deepEqual(readdirSync(sub), ['cfg.bin']);
});

describe('rejections: exit 2, one error line and a hint, nothing on stdout, no file', { concurrency: true }, () => {
  const cases: [string[], RegExp][] = [
    [['--temp-offset', '5'], /^error: --sn is required/m],
    [['--sn', '65536'], /^error: --sn "65536" is out of range: .* allowed 0–65535$/m],
    [['--sn', '-1'], /^error: --sn "-1" is out of range/m],
    [['--sn', '7', '--temp-offset', '32768'], /^error: --temp-offset "32768" is out of range: .* allowed -32768–32767$/m],
    [['--sn', '7', '--temp-offset', '-32769'], /^error: --temp-offset "-32769" is out of range/m],
    // 'abc' would be valid hexadecimal (2748), as in the original; '12V' is not a number in either base.
    [['--sn', '7', '--ovlo-cutoff', '12V'], /^error: --ovlo-cutoff "12V" is not a number$/m],
    [['--sn', '7', '--max-current', '1.5'], /^error: --max-current "1.5" is not a number$/m],
    [['--sn', '7', '--uvlo-cutoff', '1800'], /^error: --uvlo-cutoff 1800 mV must be below --uvlo-release 1800 mV/m],
    [['--sn', '7', '--uvlo-release', '2700'], /^error: --uvlo-release 2700 mV must be below --ovlo-release 2700 mV/m],
    [['--sn', '7', '--ovlo-release', '2900', '--force'], /^error: --ovlo-release 2900 mV must be below --ovlo-cutoff 2800 mV/m],
    [['--sn', '7', '--ovlo-cutoff', '3100'], /^error: --ovlo-cutoff 3100 mV is above the 3000 mV a lithium-titanate \(LTO\) cell survives$/m],
    [['--sn', '7', '--chemistry', 'NAION', '--uvlo-cutoff', '1000'], /^error: --uvlo-cutoff 1000 mV is below the 1500 mV a sodium-ion/m],
    [['--sn', '7', '--max-current', '5000'], /^error: --max-current 5000 mA is above the 2000 mA the board is built for$/m],
    [['--sn', '7', '--chemistry', 'LiFePO4'], /^error: --chemistry "LiFePO4" is not a chemistry the board supports$/m],
    [['--sn', '7', '--format', 'elf'], /^error: --format "elf" is not an image format$/m],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), async () => {
      const file = join(dir, `rej-${args.join('_').replace(/[^\w-]/g, '')}.bin`);
      const r = await runCli(['eeprom', ...args, '-f', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /\nhint: \S/);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(file), false);
    });
  }
  test('decode of something that is neither a file nor hex', async () => {
    const r = await runCli(['eeprom', 'decode', join(dir, 'missing.bin')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: ".*missing\.bin" is neither an existing file nor a hex string$/m);
  });
  test('decode of a file shorter than an image', async () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, Buffer.alloc(10));
    const r = await runCli(['eeprom', 'decode', short]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: .*short\.bin holds 10 bytes; a configuration image is 20$/m);
  });
  test('-f into a folder that does not exist', async () => {
    const r = await runCli(['eeprom', '--sn', '7', '-f', join(dir, 'no', 'such', 'x.bin')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: cannot write .*x\.bin: the folder does not exist$/m);
  });
});

test('--force accepts limits outside the chemistry bounds', async () => {
  const r = await ok(['--sn', '7', '--ovlo-cutoff', '3100', '--force']);
  assert.equal(r.stdout.trim(), expectedImage({ ...LTO7, ovloCutoff: 3100 }).toString('hex'));
});

test('help: eeprom and eeprom decode show examples; the program lists eeprom', async () => {
  const [e, d, p] = await Promise.all([runCli(['eeprom', '--help']), runCli(['eeprom', 'decode', '--help']), runCli(['--help'])]);
  for (const r of [e, d]) {
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n {2}\$ ltobms eeprom/);
  }
  assert.match(e.stdout, /--chemistry <LTO\|NAION>/);
  assert.match(e.stdout, /--ovlo-cutoff <n> +over-voltage cutoff, mV \(default: LTO 2800,\s+NAION 3900\)/);
  // the summary may wrap onto the next line when a longer command widens the list
  assert.match(p.stdout, /^ {2}eeprom .*configuration\s+image/m);
});
