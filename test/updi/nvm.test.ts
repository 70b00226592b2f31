/**
 * NVM controller (P:0) transcripts. Register addresses and command codes are the data sheet's
 * (ATTINY824_FACTS.md §2.10: CTRLA 0x1000, STATUS 0x1002, DATA 0x1006, ADDR 0x1008; WP 1, ERWP 3,
 * PBC 4, CHER 5, WFU 7; STATUS FBUSY 1, EEBUSY 2, WRERROR 4), written here as literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpdiPhysical } from '../../src/updi/physical.js';
import { UpdiLink } from '../../src/updi/link.js';
import { TinyNvm } from '../../src/updi/nvm.js';
import { UpdiError } from '../../src/updi/errors.js';
import { ScriptedTarget, type Step } from './scripted.js';

function setup(steps: Step[]) {
  const target = new ScriptedTarget(steps);
  const phy = new UpdiPhysical(target.pipe, { baud: 115200, timeoutMs: 300, clock: target.clock });
  const link = new UpdiLink(phy);
  return { target, phy, link, nvm: new TinyNvm(link, { pageTimeoutMs: 50, clock: target.clock }) };
}

const STS_CTRLA = [0x55, 0x44, 0x00, 0x10];
/**
 * A command inside a burst without ACKs: a word store to CTRLA and CTRLB (0x00), so the next
 * instruction's SYNCH can never become the command (0x55 is chip erase) — see nvm.ts commandWord.
 */
const CMD = (cmd: number) => [0x55, 0x45, 0x00, 0x10, cmd, 0x00];
const LDS_STATUS = [0x55, 0x04, 0x02, 0x10];

test('a flash page is one write: RSD on, PBC, pointer, REPEAT 32 words, data, WP, status read', async () => {
  const page0 = Array.from({ length: 64 }, (_, i) => i);
  const page1 = Array.from({ length: 64 }, (_, i) => 0xff - i);
  const { nvm, link, target } = setup([
    {
      expect: [
        ...[0x55, 0xc2, 0x08], // CTRLA = RSD (link CTRLA was 0)
        ...CMD(0x04), // PBC
        ...[0x55, 0x69, 0x00, 0x80], // pointer = 0x8000 (flash offset 0)
        ...[0x55, 0xa0, 31], // REPEAT 32
        ...[0x55, 0x65], ...page0, // ST *ptr++ words
        ...CMD(0x01), // WP
        ...LDS_STATUS,
      ],
      reply: [0x00],
    },
    // The next page follows on: the pointer already points at it and the buffer cleared itself.
    { expect: [...[0x55, 0xa0, 31], ...[0x55, 0x65], ...page1, ...CMD(0x01), ...LDS_STATUS], reply: [0x01] },
    { expect: LDS_STATUS, reply: [0x00] },
    { expect: [0x55, 0xc2, 0x00] }, // RSD off again
  ]);
  await nvm.writePage({ address: 0x8000, data: Uint8Array.from(page0), unit: 2, command: 1 });
  await nvm.writePage({ address: 0x8040, data: Uint8Array.from(page1), unit: 2, command: 1 });
  await nvm.endBulk();
  await link.phy.settle();
  await target.idle();
  assert.ok(target.done, target.state);
});

test('EEPROM bytes go out with byte stores (0x64) and ERWP; a gap needs a new pointer', async () => {
  const { nvm, link, target } = setup([
    {
      expect: [0x55, 0xc2, 0x08, ...CMD(0x04), 0x55, 0x69, 0x00, 0x14, 0x55, 0xa0, 1, 0x55, 0x64, 0x37, 0x73, ...CMD(0x03), ...LDS_STATUS],
      reply: [0x00],
    },
    { expect: [0x55, 0x69, 0x10, 0x14, 0x55, 0x64, 0xaa, ...CMD(0x03), ...LDS_STATUS], reply: [0x00] },
  ]);
  await nvm.writePage({ address: 0x1400, data: Uint8Array.of(0x37, 0x73), unit: 1, command: 3 });
  await nvm.writePage({ address: 0x1410, data: Uint8Array.of(0xaa), unit: 1, command: 3 });
  await link.phy.settle();
  assert.ok(target.done, target.state);
});

test('WRERROR in the status after a page write is an NVM_ERROR', async () => {
  const page = new Uint8Array(64);
  const { nvm } = setup([
    { expect: [0x55, 0xc2, 0x08, ...CMD(0x04), 0x55, 0x69, 0x00, 0x80, 0x55, 0xa0, 31, 0x55, 0x65, ...page, ...CMD(0x01), ...LDS_STATUS], reply: [0x04] },
  ]);
  await assert.rejects(nvm.writePage({ address: 0x8000, data: page, unit: 2, command: 1 }), (e: unknown) => e instanceof UpdiError && e.updiCode === 'NVM_ERROR');
});

test('a controller that stays busy ends in NVM_TIMEOUT, not an endless poll', async () => {
  // Every poll takes 10 ms and is answered "FBUSY": polls at 0, 10 and 20 ms are inside the 30 ms
  // wait, the answer of the third comes at 30 ms, and that is the end. The fourth is never sent.
  const busy = Array.from({ length: 4 }, () => ({ expect: LDS_STATUS, reply: [0x01], takesMs: 10 }));
  const { nvm, target } = setup(busy);
  await assert.rejects(nvm.waitReady('in test', 30), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'NVM_TIMEOUT');
    assert.equal(e.message, 'timed out after 30 ms waiting for the NVM controller in test (NVMCTRL.STATUS 0x1)');
    return true;
  });
  assert.equal(target.consumed, 3);
  assert.equal(target.clock.now(), 30);
});

test('a controller that becomes ready inside the wait is waited for', async () => {
  const { nvm, target } = setup([
    { expect: LDS_STATUS, reply: [0x02], takesMs: 10 }, // EEBUSY
    { expect: LDS_STATUS, reply: [0x01], takesMs: 10 }, // FBUSY
    { expect: LDS_STATUS, reply: [0x00], takesMs: 10 },
  ]);
  await nvm.waitReady('in test', 30);
  assert.ok(target.done, target.state);
  assert.equal(target.clock.now(), 30);
});

test('settling before a redo accepts WRERROR but still gives up on a controller that stays busy', async () => {
  const ok = setup([
    { expect: LDS_STATUS, reply: [0x05], takesMs: 20 }, // FBUSY | WRERROR
    { expect: LDS_STATUS, reply: [0x04], takesMs: 20 }, // WRERROR only: idle
  ]);
  assert.equal(await ok.nvm.settle('before redo'), 0x04);
  assert.ok(ok.target.done, ok.target.state);

  // The page timeout of this setup is 50 ms.
  const busy = setup(Array.from({ length: 4 }, () => ({ expect: LDS_STATUS, reply: [0x01], takesMs: 20 })));
  await assert.rejects(busy.nvm.settle('before redo'), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'NVM_TIMEOUT');
    assert.equal(e.message, 'timed out after 50 ms waiting for the NVM controller before redo');
    return true;
  });
  assert.equal(busy.target.consumed, 3);
});

test('fuse write: wait ready, ADDR word, DATA, WFU, wait ready — each store ACKed (facts §4.8)', async () => {
  const ack = [0x40];
  const { nvm, target } = setup([
    { expect: LDS_STATUS, reply: [0x00] },
    { expect: [0x55, 0x45, 0x08, 0x10], reply: ack },
    { expect: [0x85, 0x12], reply: ack }, // ADDR = 0x1285 (SYSCFG0)
    { expect: [0x55, 0x44, 0x06, 0x10], reply: ack },
    { expect: [0xf7], reply: ack }, // DATA
    { expect: STS_CTRLA, reply: ack },
    { expect: [0x07], reply: ack }, // WFU
    { expect: LDS_STATUS, reply: [0x02] },
    { expect: LDS_STATUS, reply: [0x00] },
  ]);
  await nvm.writeFuse(0x1285, 0xf7);
  assert.ok(target.done, target.state);
});

test('chip erase is CHER (5) between two ready checks', async () => {
  const ack = [0x40];
  const { nvm, target } = setup([
    { expect: LDS_STATUS, reply: [0x00] },
    { expect: STS_CTRLA, reply: ack },
    { expect: [0x05], reply: ack },
    { expect: LDS_STATUS, reply: [0x03] },
    { expect: LDS_STATUS, reply: [0x00] },
  ]);
  await nvm.chipErase();
  assert.ok(target.done, target.state);
});

test('a page write can carry the read-back of another page; top-down, the pointer is already there', async () => {
  const upper = Array.from({ length: 64 }, (_, i) => 0x40 + i);
  const lower = Array.from({ length: 64 }, (_, i) => i);
  const { nvm, target } = setup([
    // Page 0x8000, reading back page 0x8040 (written before): no pointer store between data and LD.
    {
      expect: [0x55, 0xc2, 0x08, ...CMD(0x04), 0x55, 0x69, 0x00, 0x80, 0x55, 0xa0, 31, 0x55, 0x65, ...lower, ...CMD(0x01), 0x55, 0xa0, 31, 0x55, 0x25],
      reply: upper,
    },
    // Bottom-up instead: the pointer (0x8080 after the read-back) is moved to 0x8040 for the data,
    // and back to 0x8000 for the read-back.
    { expect: [0x55, 0x69, 0x40, 0x80, 0x55, 0xa0, 31, 0x55, 0x65, ...upper, ...CMD(0x01), 0x55, 0x69, 0x00, 0x80, 0x55, 0xa0, 31, 0x55, 0x25], reply: lower },
  ]);
  const got1 = await nvm.writePage({ address: 0x8000, data: Uint8Array.from(lower), unit: 2, command: 1 }, { address: 0x8040, length: 64, unit: 2 });
  assert.deepEqual([...got1!], upper);
  const got2 = await nvm.writePage({ address: 0x8040, data: Uint8Array.from(upper), unit: 2, command: 1 }, { address: 0x8000, length: 64, unit: 2 });
  assert.deepEqual([...got2!], lower);
  assert.ok(target.done, target.state);
});
