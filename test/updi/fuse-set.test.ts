/** `fuses --set`: names, value grammar and the per-fuse range checks, before anything is connected. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByte, parseFuseSettings, checkFuseSetting, fuseSegments } from '../../src/updi/fuse-set.js';
import { fuseValueProblem } from '../../src/part/fuse-rules.js';
import { fuseMeaning, FUSE_DEFAULTS } from '../../src/part/fuses.js';
import { deviceByName } from '../../src/part/tinyavr2.js';
import { UsageError } from '../../src/errors.js';
import { planProgram } from '../../src/updi/plan.js';

const t824 = deviceByName('t824')!;

test('values: decimal, 0x hex and 0b binary, 0 to 255; anything else is not a byte', () => {
  assert.equal(parseByte('122'), 122);
  assert.equal(parseByte('0x7A'), 0x7a);
  assert.equal(parseByte('0b01111010'), 0x7a);
  assert.equal(parseByte(' 0 '), 0);
  for (const bad of ['256', '0x100', '-1', '1e2', '0x', '0b2', '7a', '', '1.5']) assert.equal(parseByte(bad), undefined, bad);
});

test('names are the data sheet\'s, in any case; comma lists and repeated --set join, in fuse order', () => {
  const s = parseFuseSettings(['syscfg0=0xf7,WDTCFG=0x7a', 'BodCfg=0']);
  assert.deepEqual(s.map((x) => [x.name, x.index, x.value]), [['WDTCFG', 0, 0x7a], ['BODCFG', 1, 0], ['SYSCFG0', 5, 0xf7]]);
  assert.deepEqual(fuseSegments(s).map((g) => [g.address, [...g.data]]), [[0, [0x7a]], [1, [0]], [5, [0xf7]]]);
  // The same fuse twice with the same value is one setting.
  assert.equal(parseFuseSettings(['WDTCFG=0x7a', 'wdtcfg=122']).length, 1);
});

test('bad settings are usage errors with the fix in the hint', () => {
  const cases: [string[], RegExp, RegExp][] = [
    [['WDTCFG'], /expected NAME=VALUE/, /--set WDTCFG=0x7a/],
    [['FUSE0=1'], /no fuse is named "FUSE0"/, /WDTCFG, BODCFG, OSCCFG, SYSCFG0, SYSCFG1, APPEND, BOOTEND/],
    [['reserved3=1'], /no fuse is named/, /WDTCFG/],
    [['BODCFG=300'], /"300" is not a byte/, /0x7a/],
    [['WDTCFG=1', 'WDTCFG=2'], /WDTCFG twice: 0x01 and 0x02/, /once/],
    [[','], /names no fuse/, /--set/],
    [['WDTCFG=0x0c'], /WDTCFG.PERIOD 0xc is reserved/, /0xB \(8K cycles\)/],
    [['WDTCFG=0xc0'], /WDTCFG.WINDOW 0xc is reserved/, /WINDOW/],
    [['BODCFG=0x03'], /BODCFG.SLEEP 3 is reserved/, /sampled/],
    [['OSCCFG=0x7f'], /OSCCFG.FREQSEL 3 is reserved/, /16 MHz.*20 MHz/],
    [['OSCCFG=0x02'], /bits 6:2 of OSCCFG are reserved/, /write 0x7e/],
    [['SYSCFG0=0xd7'], /bits 5, 1 of SYSCFG0 are reserved/, /write 0xf7/],
    [['SYSCFG1=0x04'], /bits 7:3 of SYSCFG1 are reserved/, /write 0xfc/],
  ];
  for (const [specs, message, hint] of cases) {
    assert.throws(
      () => parseFuseSettings(specs),
      (e: unknown) => e instanceof UsageError && message.test(e.message) && hint.test(e.hint ?? ''),
      specs.join(' '),
    );
  }
});

test('every factory value and the firmware\'s own fuses pass; section ends are checked against the part\'s flash', () => {
  const names = ['WDTCFG', 'BODCFG', 'OSCCFG', 'SYSCFG0', 'SYSCFG1', 'APPEND', 'BOOTEND'] as const;
  const indexes = [0, 1, 2, 5, 6, 7, 8];
  names.forEach((n, i) => assert.equal(fuseValueProblem(n, FUSE_DEFAULTS[indexes[i]!]!, t824), undefined, n));
  assert.equal(parseFuseSettings(['WDTCFG=0x7a,BODCFG=0,OSCCFG=0x7e,SYSCFG0=0xf7,SYSCFG1=0xff']).length, 5);
  // 8 KB flash = 32 blocks of 256 B: BOOTEND 32 is the end of flash, 33 is beyond it.
  checkFuseSetting({ name: 'BOOTEND', index: 8, value: 32 }, t824);
  assert.throws(() => checkFuseSetting({ name: 'BOOTEND', index: 8, value: 33 }, t824), /beyond the 8192 B flash of the ATtiny824/);
  checkFuseSetting({ name: 'BOOTEND', index: 8, value: 128 }, deviceByName('t3224')!);
  // Before a part is connected, the size is not known: not refused yet.
  checkFuseSetting({ name: 'APPEND', index: 7, value: 200 });
});

test('the UPDI-pin rule is the planner\'s, for --set as for files', () => {
  const settings = parseFuseSettings(['SYSCFG0=0xf3']);
  assert.throws(() => planProgram({ fuses: fuseSegments(settings) }, t824), /refusing to write SYSCFG0 = 0xf3: RSTPINCFG = GPIO/);
  assert.equal(planProgram({ fuses: fuseSegments(settings) }, t824, { force: true }).fuses.length, 1);
});

test('a value\'s meaning is the decode `ltobms info` shows (2-series BOD levels, CRC sources)', () => {
  assert.equal(fuseMeaning('BODCFG', 0x95), 'active enabled, sleep enabled, level 3.3 V, sampling 125 Hz');
  assert.equal(fuseMeaning('BODCFG', 0x0c), 'active enabled, wake-up waits for the BOD, sleep disabled, level 1.8 V, sampling 1 kHz');
  assert.equal(fuseMeaning('SYSCFG0', 0x36), 'EESAVE off, pin PA0 = UPDI, CRC of whole flash');
  assert.equal(fuseMeaning('SYSCFG0', 0x66), 'EESAVE off, pin PA0 = UPDI, CRC of boot section, NVM time-out after reset');
  assert.equal(fuseMeaning('OSCCFG', 0xfd), '16 MHz, calibration locked');
});
