/** Fuse decoding against the field layout in ATTINY824_FACTS.md §1.2 and HARDWARE.md's fuse table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFuses, FUSE, FUSE_BYTES, FUSE_DEFAULTS, FUSE_NAMES, RESERVED_FUSES, rstPinCfg, SYSCFG0_EESAVE } from '../../src/part/fuses.js';

test("the original project's fuses decode to what HARDWARE.md says they mean", () => {
  const f = decodeFuses([0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00]);
  // WDTCFG 0x7A: PERIOD 0xA = 4K cycles, WINDOW 7 = 512 cycles.
  assert.deepEqual(f.WDTCFG, { period: '4K cycles', window: '512 cycles' });
  assert.equal(f.BODCFG.active, 'disabled');
  assert.equal(f.BODCFG.sleep, 'disabled');
  assert.equal(f.OSCCFG.frequency, '20 MHz');
  // SYSCFG0 0xF7: EESAVE (bit 0), RSTPINCFG 01 = UPDI, CRCSRC 11 = no CRC.
  assert.deepEqual(f.SYSCFG0, { eesave: true, rstPinCfg: 'UPDI', toutDis: true, crcSrc: 'no CRC' });
  assert.equal(f.SYSCFG1.startupMs, 64);
  assert.deepEqual([f.APPEND.bytes, f.BOOTEND.bytes], [0, 0]);
});

test('RSTPINCFG is bits 3:2 of SYSCFG0', () => {
  assert.equal(rstPinCfg(0xf3), 'GPIO');
  assert.equal(rstPinCfg(0xf7), 'UPDI');
  assert.equal(rstPinCfg(0xf8), 'RESET');
  assert.equal(rstPinCfg(0xfc), 'PDIRST');
  // BODCFG 0x48 = 010 0 10 00: LVL 2 (2.6 V), ACTIVE 2 (sampled), SLEEP 0 (disabled).
  const bod = decodeFuses([0, 0x48]).BODCFG;
  assert.deepEqual([bod.level, bod.active, bod.sleep], ['2.6 V', 'sampled', 'disabled']);
});

test('fuse layout and factory values (facts §1.2, avr-libc FUSE_*_DEFAULT)', () => {
  assert.deepEqual(FUSE, { WDTCFG: 0, BODCFG: 1, OSCCFG: 2, SYSCFG0: 5, SYSCFG1: 6, APPEND: 7, BOOTEND: 8 });
  assert.deepEqual(RESERVED_FUSES, [3, 4]);
  assert.equal(FUSE_NAMES.length, 9);
  for (const [name, index] of Object.entries(FUSE)) assert.equal(FUSE_NAMES[index], name);
  assert.equal(FUSE_BYTES, 10);
  assert.deepEqual(FUSE_DEFAULTS, [0x00, 0x00, 0x7e, 0xff, 0xff, 0xf6, 0xff, 0x00, 0x00, 0xff]);
  assert.equal(SYSCFG0_EESAVE, 0x01);
  assert.equal(decodeFuses(FUSE_DEFAULTS).SYSCFG0.rstPinCfg, 'UPDI', 'a factory part keeps its UPDI pin');
});
