/** Fuse decoding against the field layout in ATTINY824_FACTS.md §1.2 and HARDWARE.md's fuse table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFuses, rstPinCfg } from '../../src/updi/fuses.js';

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
