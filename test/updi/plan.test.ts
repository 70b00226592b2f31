/**
 * The planner, tested as data: whole plans compared with plans worked out by hand from the
 * ATtiny824 geometry (flash 8 KB in 64-byte pages at data address 0x8000, EEPROM 128 B in 32-byte
 * pages at 0x1400, fuses at 0x1280; facts §1.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planProgram } from '../../src/updi/plan.js';
import { ATTINY824 } from '../../src/part/attiny824.js';
import { deviceByName } from '../../src/part/tinyavr2.js';
import { UsageError } from '../../src/errors.js';

const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

test('a 100-byte flash image at 0 touches pages 0 and 1; page 1 is padded with 0xFF; ERWP without erase', () => {
  const image = bytes(100, (i) => i);
  const plan = planProgram({ flash: [{ address: 0, data: image }] }, ATTINY824);
  const page1 = new Uint8Array(64).fill(0xff);
  page1.set(image.subarray(64), 0);
  assert.deepEqual(
    plan.pages.map((p) => ({ memory: p.memory, offset: p.offset, address: p.write.address, unit: p.write.unit, command: p.write.command, data: [...p.write.data] })),
    [
      { memory: 'flash', offset: 0, address: 0x8000, unit: 2, command: 3, data: [...image.subarray(0, 64)] },
      { memory: 'flash', offset: 64, address: 0x8040, unit: 2, command: 3, data: [...page1] },
    ],
  );
  // One verify range covering both pages (128 bytes from 0x8000).
  assert.deepEqual(plan.verify.map((r) => [r.memory, r.address, r.expected.length]), [['flash', 0x8000, 128]]);
  assert.deepEqual(plan.bytes, { flash: 128, eeprom: 0, userrow: 0, fuses: 0 });
});

test('after a chip erase pages use WP and all-0xFF pages are not written but still verified', () => {
  const data = new Uint8Array(192).fill(0xff);
  data[130] = 0x12; // only page 2 has content
  const plan = planProgram({ flash: [{ address: 0, data }] }, ATTINY824, { chipErase: true });
  assert.deepEqual(plan.pages.map((p) => [p.offset, p.write.command]), [[128, 1]]);
  assert.deepEqual(plan.verify.map((r) => [r.address, r.expected.length]), [[0x8000, 192]]);
  assert.equal(plan.chipErase, true);
});

test('two separate flash regions give two verify ranges', () => {
  const plan = planProgram({ flash: [{ address: 0, data: bytes(4, () => 1) }, { address: 0x1000, data: bytes(4, () => 2) }] }, ATTINY824);
  assert.deepEqual(plan.verify.map((r) => [r.address, r.expected.length]), [[0x8000, 64], [0x9000, 64]]);
});

test('EEPROM is written byte-exact: a 20-byte image at 0 is one op; 30 bytes at 20 split at the 32-byte page', () => {
  const plan = planProgram({ eeprom: [{ address: 0, data: bytes(20, (i) => i) }, { address: 40, data: bytes(30, (i) => 100 + i) }] }, ATTINY824);
  assert.deepEqual(
    plan.pages.map((p) => [p.write.address, p.write.data.length, p.write.unit, p.write.command]),
    [
      [0x1400, 20, 1, 3],
      [0x1428, 24, 1, 3], // 40..63
      [0x1440, 6, 1, 3], // 64..69
    ],
  );
  assert.deepEqual(plan.verify.map((r) => [r.memory, r.address, r.expected.length]), [['eeprom', 0x1400, 20], ['eeprom', 0x1428, 30]]);
});

test('the user row is written like EEPROM: byte-exact ERWP at 0x1300, one 32-byte page; more than 32 bytes is refused', () => {
  const plan = planProgram({ userrow: [{ address: 4, data: Uint8Array.of(1, 2, 3) }] }, ATTINY824);
  assert.deepEqual(
    plan.pages.map((p) => ({ memory: p.memory, offset: p.offset, address: p.write.address, unit: p.write.unit, command: p.write.command, data: [...p.write.data] })),
    [{ memory: 'userrow', offset: 4, address: 0x1304, unit: 1, command: 3, data: [1, 2, 3] }],
  );
  assert.deepEqual(plan.verify.map((r) => [r.memory, r.address, [...r.expected]]), [['userrow', 0x1304, [1, 2, 3]]]);
  assert.equal(plan.bytes.userrow, 3);
  assert.throws(() => planProgram({ userrow: [{ address: 0, data: new Uint8Array(33) }] }, ATTINY824), /the user row image does not fit the ATtiny824: .* its user row has 32 bytes/);
});

test("the original project's fuses: 9 bytes, reserved 3 and 4 skipped, 7 fuse writes", () => {
  const fuses = Uint8Array.of(0x7a, 0x00, 0x7e, 0xff, 0xff, 0xf7, 0xff, 0x00, 0x00);
  const plan = planProgram({ fuses: [{ address: 0, data: fuses }] }, ATTINY824);
  assert.deepEqual(plan.fuses.map((f) => [f.name, f.address, f.value]), [
    ['WDTCFG', 0x1280, 0x7a],
    ['BODCFG', 0x1281, 0x00],
    ['OSCCFG', 0x1282, 0x7e],
    ['SYSCFG0', 0x1285, 0xf7],
    ['SYSCFG1', 0x1286, 0xff],
    ['APPEND', 0x1287, 0x00],
    ['BOOTEND', 0x1288, 0x00],
  ]);
  assert.deepEqual(plan.skippedFuses, [{ index: 3, value: 0xff }, { index: 4, value: 0xff }]);
});

test('SYSCFG0 with RSTPINCFG = GPIO (0xF3) is refused without force, accepted with it', () => {
  const image = { fuses: [{ address: 5, data: Uint8Array.of(0xf3) }] };
  assert.throws(() => planProgram(image, ATTINY824), (e: unknown) => e instanceof UsageError && e.code === 'FUSE_UPDI_LOCKOUT' && /GPIO/.test(e.message));
  assert.equal(planProgram(image, ATTINY824, { force: true }).fuses[0]!.value, 0xf3);
  // RESET (bits 3:2 = 10 → 0xF8) is refused too.
  assert.throws(() => planProgram({ fuses: [{ address: 5, data: Uint8Array.of(0xf8) }] }, ATTINY824), /reset pin/);
});

test('an image larger than the part is refused with both sizes in the message', () => {
  const big = { flash: [{ address: 0, data: new Uint8Array(9000) }] };
  assert.throws(() => planProgram(big, ATTINY824), (e: unknown) => e instanceof UsageError && /8192 bytes/.test(e.message) && e.code === 'IMAGE_TOO_LARGE');
  // The same image fits a 16 KB part.
  assert.equal(planProgram(big, deviceByName('t1624')!).pages.length, Math.ceil(9000 / 64));
  assert.throws(() => planProgram({ eeprom: [{ address: 120, data: new Uint8Array(16) }] }, ATTINY824), /128 bytes/);
});

test('ATtiny3224 flash pages are 128 bytes', () => {
  const plan = planProgram({ flash: [{ address: 0, data: new Uint8Array(200) }] }, deviceByName('ATtiny3224')!);
  assert.deepEqual(plan.pages.map((p) => [p.offset, p.write.data.length]), [[0, 128], [128, 128]]);
});
