/**
 * User row, EEPROM bytes and the lock byte through the whole driver against the in-process virtual
 * ATtiny824 (src/sim/updi) on one manual clock. What the part holds is read from the target's own
 * memories and events, never from the driver's reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeHarness as harness } from './sim-pipe.js';
import { withProgrammer } from '../../src/updi/connect.js';
import { UpdiError } from '../../src/updi/errors.js';
import { writeByteMemory } from '../../src/updi/userrow.js';
import { lockPart } from '../../src/updi/lock.js';
import { NvmMemories } from '../../src/sim/nvm/memories.js';

function isUpdiError(code: string, message: RegExp, hint?: RegExp) {
  return (e: unknown) => e instanceof UpdiError && e.updiCode === code && message.test(e.message) && (!hint || hint.test(e.hint ?? ''));
}

test('user row bytes are erase-written byte-exact through the page buffer, read back; the rest of the row stays', async () => {
  const memories = new NvmMemories();
  memories.userrow.fill(0x5a);
  const h = harness({ memories });
  const r = await withProgrammer(h.connect, (p) => writeByteMemory(p, 'userrow', [{ address: 4, data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }], { verify: true }));
  assert.deepEqual([r.device, r.method, r.locked, r.written, r.verified], ['ATtiny824', 'nvm', false, 4, 4]);
  const expected = new Uint8Array(32).fill(0x5a);
  expected.set([0xde, 0xad, 0xbe, 0xef], 4);
  assert.deepEqual(h.sim.memories.userrow, expected);
  assert.equal(h.sim.nvmctrl.counts.ERWP, 1);
  assert.equal(h.sim.nvmctrl.counts.rejected, 0);
  // EEPROM bytes take the same path.
  await withProgrammer(h.connect, (p) => writeByteMemory(p, 'eeprom', [{ address: 100, data: Uint8Array.of(7, 8) }], { verify: true }));
  assert.deepEqual([...h.sim.memories.eeprom.subarray(99, 103)], [0xff, 7, 8, 0xff]);
  h.sim.close();
});

test('a user row byte that does not take the data ends in VERIFY naming its address', async () => {
  let h: ReturnType<typeof harness> | undefined = undefined;
  h = harness({ onNvmChange: () => void (h!.sim.memories.userrow[5] = 0x00) });
  await assert.rejects(
    withProgrammer(h.connect, (p) => writeByteMemory(p, 'userrow', [{ address: 0, data: new Uint8Array(8).fill(0x11) }], { verify: true })),
    isUpdiError('VERIFY', /userrow at offset 0x0005 \(data address 0x1305\) reads 0x00, expected 0x11/),
  );
  h.sim.close();
});

test('a locked part: its user row is written whole by the USERROW key with verify off; refused with verify on; nothing else opens', async () => {
  const memories = new NvmMemories();
  memories.lockbits[0] = 0x3a;
  memories.flash.fill(0x42);
  memories.userrow.fill(0x00);
  const h = harness({ memories });
  await assert.rejects(
    withProgrammer(h.connect, (p) => writeByteMemory(p, 'userrow', [{ address: 0, data: Uint8Array.of(1) }], { verify: true })),
    isUpdiError('LOCKED', /can be written \(USERROW key\) but not read back/, /--no-verify/),
  );
  assert.ok(h.sim.memories.userrow.every((b) => b === 0), 'refused: nothing written');
  await assert.rejects(
    withProgrammer(h.connect, (p) => writeByteMemory(p, 'eeprom', [{ address: 0, data: Uint8Array.of(1) }], { verify: false })),
    isUpdiError('LOCKED', /locked/, /ltobms erase/),
  );
  const r = await withProgrammer(h.connect, (p) => writeByteMemory(p, 'userrow', [{ address: 30, data: Uint8Array.of(0xab, 0xcd) }], { verify: false }));
  assert.deepEqual([r.device, r.method, r.written, r.verified], [null, 'userrow-key', 32, 0]);
  const row = new Uint8Array(32).fill(0xff);
  row.set([0xab, 0xcd], 30);
  assert.deepEqual(h.sim.memories.userrow, row);
  assert.ok(h.updiEvents.some((e) => e.type === 'userrow-written'));
  // Still locked, flash untouched.
  assert.equal(h.sim.memories.lockbits[0], 0x3a);
  assert.ok(h.sim.memories.flash.every((b) => b === 0x42));
  h.sim.close();
});

test('lock: LOCKBIT 0x3a written by WFU and read back, the part locked after the reset; again: already locked, nothing written', async () => {
  const h = harness();
  const r = await withProgrammer(h.connect, (p) => lockPart(p, { verify: true }));
  assert.deepEqual(r, { device: 'ATtiny824', alreadyLocked: false, before: 0xc5, value: 0x3a, verified: 1, retries: 0 });
  assert.equal(h.sim.memories.lockbits[0], 0x3a);
  assert.equal(h.sim.target.isLocked, true);
  const wfu = h.sim.nvmctrl.counts.WFU;
  const again = await withProgrammer(h.connect, (p) => lockPart(p, { verify: true }));
  assert.equal(again.alreadyLocked, true);
  assert.equal(h.sim.nvmctrl.counts.WFU, wfu);
  h.sim.close();
});

test('a lock byte that does not take the value ends in VERIFY naming 0x128a', async () => {
  let h: ReturnType<typeof harness> | undefined = undefined;
  h = harness({ onNvmChange: () => void (h!.sim.memories.lockbits[0] = 0xc5) });
  await assert.rejects(
    withProgrammer(h.connect, (p) => lockPart(p, { verify: true })),
    isUpdiError('VERIFY', /data address 0x128a\) reads 0xc5, expected 0x3a/),
  );
  assert.equal(h.sim.target.isLocked, false);
  h.sim.close();
});
