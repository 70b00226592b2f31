// `ltobms eeprom --cal FILE.json` and `eeprom decode` with the calibration block, through the real
// bin/ltobms; expected bytes are built here from the documented layout (docs/calibration.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { expectedImage, LTO_DEFAULTS, referenceCrc, type Fields } from './reference.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ltobms-eeprom-cal-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const LTO7: Fields = { sn: 7, tempOffset: 0, ...LTO_DEFAULTS };
const CAL = { vbatt: { gain: 33096, offset: -12 }, vload: { gain: 32440, offset: 7 }, current: { gain: 31130, offset: -25 }, tempOffsetK: -3 };

/** The 20-byte block for CAL, field by field from the table. */
function expectedBlock(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(0xca1b, 0);
  b.writeUInt16LE(33096, 2);
  b.writeInt16LE(-12, 4);
  b.writeUInt16LE(32440, 6);
  b.writeInt16LE(7, 8);
  b.writeUInt16LE(31130, 10);
  b.writeInt16LE(-25, 12);
  b.writeInt16LE(-3, 14);
  b[16] = 1;
  b.writeUInt16LE(referenceCrc(b.subarray(0, 18)), 18);
  return b;
}

function calFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('--cal: the image is the unchanged configuration followed by the calibration block (stdout, raw file, Intel HEX)', async () => {
  const cal = calFile('cal.json', CAL);
  const want = Buffer.concat([expectedImage(LTO7), expectedBlock()]);
  const bin = join(dir, 'both.bin');
  const hex = join(dir, 'both.hex');
  const [s, b, h] = await Promise.all([
    runCli(['eeprom', '--sn', '7', '--cal', cal]),
    runCli(['eeprom', '--sn', '7', '--cal', cal, '-f', bin]),
    runCli(['eeprom', '--sn', '7', '--cal', cal, '-f', hex]),
  ]);
  for (const r of [s, b, h]) assert.equal(r.code, 0, r.stderr);
  assert.equal(s.stdout, want.toString('hex') + '\n');
  assert.deepEqual(readFileSync(bin), want);
  assert.match(b.stdout, /^wrote .*both\.bin: raw, serial 7, LTO default limits, CRC 0x[0-9a-f]{4}, calibration vbatt ×1\.010010 -12 mV, vload ×0\.989990 7 mV, current ×0\.950012 -25 counts, temp -3 K$/m);
  const d = await runCli(['eeprom', 'decode', hex, '--json']);
  assert.equal(d.code, 0, d.stderr);
  const j = JSON.parse(d.stdout) as { length: number; hex: string; calibration: { valid: boolean; fields: Record<string, number>; vbatt: { gainPpm: number }; hex: string } };
  assert.equal(j.length, 40);
  assert.equal(j.hex, expectedImage(LTO7).toString('hex'));
  assert.equal(j.calibration.valid, true);
  assert.deepEqual(j.calibration.fields, { vbatt_gain: 33096, vbatt_offset: -12, vload_gain: 32440, vload_offset: 7, current_gain: 31130, current_offset: -25, temp_offset_cal: -3 });
  assert.equal(j.calibration.vbatt.gainPpm, 10010);
  assert.equal(j.calibration.hex, expectedBlock().toString('hex'));
});

test('--cal with --json: the same calibration object as decode shows; a partial file is identity elsewhere', async () => {
  const cal = calFile('partial.json', { current: { offset: 40 } });
  const r = await runCli(['eeprom', '--sn', '7', '--cal', cal, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { hex: string; calibration: { fields: Record<string, number>; current: { gain: number; gainPpm: number; offset: number; offsetUnit: string } } };
  assert.equal(j.hex, expectedImage(LTO7).toString('hex'));
  assert.deepEqual(j.calibration.fields, { vbatt_gain: 32768, vbatt_offset: 0, vload_gain: 32768, vload_offset: 0, current_gain: 32768, current_offset: 40, temp_offset_cal: 0 });
  assert.deepEqual(j.calibration.current, { gain: 32768, gainPpm: 0, offset: 40, offsetUnit: 'counts' });
});

test('without --cal the output stays the 20-byte image, and --json says calibration null', async () => {
  const [s, j] = await Promise.all([runCli(['eeprom', '--sn', '7']), runCli(['eeprom', '--sn', '7', '--json'])]);
  assert.equal(s.stdout, expectedImage(LTO7).toString('hex') + '\n');
  assert.equal((JSON.parse(j.stdout) as { calibration: unknown }).calibration, null);
});

test('decode: shows the calibration as gains in per cent and ppm with offsets in their units; "no calibration block" without one', async () => {
  const both = Buffer.concat([expectedImage(LTO7), expectedBlock()]).toString('hex');
  const erasedDump = join(dir, 'dump.bin');
  writeFileSync(erasedDump, Buffer.concat([expectedImage(LTO7), Buffer.alloc(108, 0xff)]));
  const [d, plain, dump] = await Promise.all([
    runCli(['eeprom', 'decode', both]),
    runCli(['eeprom', 'decode', expectedImage(LTO7).toString('hex')]),
    runCli(['eeprom', 'decode', erasedDump, '--json']),
  ]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^calibration +valid \(magic 0xCA1B, version 1\)$/m);
  assert.match(d.stdout, /^vbatt +gain 33096 = ×1\.010010 \(\+1\.0010 %, \+10010 ppm\), offset -12 mV$/m);
  assert.match(d.stdout, /^vload +gain 32440 = ×0\.989990 \(−1\.0010 %, −10010 ppm\), offset 7 mV$/m);
  assert.match(d.stdout, /^current +gain 31130 = ×0\.950012 \(−4\.9988 %, −49988 ppm\), offset -25 counts of the ADC sum$/m);
  assert.match(d.stdout, /^temperature +offset -3 K/m);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^calibration +no calibration block \(identity\)$/m);
  assert.equal(dump.code, 0, dump.stderr);
  assert.equal((JSON.parse(dump.stdout) as { calibration: unknown }).calibration, null, 'an erased block is no block');
});

test('decode: a damaged calibration block is shown INVALID (the firmware reads identity); the exit code is the configuration\'s', async () => {
  const block = expectedBlock();
  block[4] = block[4]! ^ 0x01;
  const r = await runCli(['eeprom', 'decode', Buffer.concat([expectedImage(LTO7), block]).toString('hex'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { valid: boolean; calibration: { valid: boolean; crc: number; crcComputed: number } };
  assert.equal(j.valid, true);
  assert.equal(j.calibration.valid, false);
  assert.notEqual(j.calibration.crc, j.calibration.crcComputed);
  const h = await runCli(['eeprom', 'decode', Buffer.concat([expectedImage(LTO7), block]).toString('hex')]);
  assert.match(h.stdout, /^calibration +INVALID \(CRC wrong\): the firmware ignores it and reads as identity$/m);
});

test('bad calibration files: one error line naming the file and the field, a hint, exit 2, no file written', async () => {
  const out = join(dir, 'never.bin');
  const cases: [string, RegExp][] = [
    [calFile('range.json', { vbatt: { gain: 70000 } }), /^error: .*range\.json: calibration vbatt_gain = 70000 does not fit its u16 field \(0–65535\)$/m],
    [calFile('typo.json', { vbat: { gain: 33000 } }), /^error: .*typo\.json: unknown key "vbat"/m],
    [calFile('frac.json', { current: { offset: 1.5 } }), /^error: .*frac\.json: current\.offset is 1\.5, not a whole number$/m],
    [calFile('text.json', '{"vbatt": '), /^error: .*text\.json: not JSON/m],
    [join(dir, 'missing.json'), /^error: cannot read .*missing\.json: no such file$/m],
  ];
  for (const [file, message] of cases) {
    const r = await runCli(['eeprom', '--sn', '7', '--cal', file, '-f', out]);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);
    assert.match(r.stderr, /^hint: /m, file.endsWith('missing.json') ? 'file errors have a hint too' : 'a hint');
    assert.equal(existsSync(out), false);
  }
});
