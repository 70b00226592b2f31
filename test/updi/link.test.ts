/**
 * Link and physical layers against scripted transcripts. Expected bytes are written out from the
 * instruction encoding in ATTINY824_FACTS.md §3.2 (SYNCH 0x55, then the opcode), not produced by
 * the code under test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpdiPhysical } from '../../src/updi/physical.js';
import { UpdiLink } from '../../src/updi/link.js';
import { UpdiError } from '../../src/updi/errors.js';
import { KEYS } from '../../src/updi/constants.js';
import { createPipePair } from '../../src/serial/pipe.js';
import { ManualClock } from '../../src/util/clock.js';
import { ScriptedTarget, type Step } from './scripted.js';

function setup(steps: Step[], options: { echo?: boolean } = {}) {
  const target = new ScriptedTarget(steps, options);
  const phy = new UpdiPhysical(target.pipe, { baud: 115200, timeoutMs: 300, clock: target.clock });
  return { target, phy, link: new UpdiLink(phy) };
}

test('LDCS STATUSA is 55 80 and returns the one answer byte', async () => {
  const { link, target } = setup([{ expect: [0x55, 0x80], reply: [0x30] }]);
  assert.equal(await link.ldcs(0x00), 0x30);
  assert.ok(target.done, target.state);
});

test('link init writes CTRLB = CCDETDIS and CTRLA, then requires a non-zero STATUSA', async () => {
  const ok = setup([{ expect: [0x55, 0xc3, 0x08, 0x55, 0xc2, 0x06, 0x55, 0x80], reply: [0x30] }]);
  assert.equal(await ok.link.init(0x06), 0x30);
  assert.ok(ok.target.done, ok.target.state);

  const dead = setup([{ expect: [0x55, 0xc3, 0x08, 0x55, 0xc2, 0x06, 0x55, 0x80], reply: [0x00] }]);
  await assert.rejects(dead.link.init(0x06), (e: unknown) => e instanceof UpdiError && e.updiCode === 'LINK');
});

test('STS byte without RSD waits for the ACK after the address and after the data', async () => {
  const { link, target } = setup([
    { expect: [0x55, 0x44, 0x00, 0x10], reply: [0x40] },
    { expect: [0x04], reply: [0x40] },
  ]);
  await link.sts(0x1000, [0x04]);
  assert.ok(target.done, target.state);
});

test('STS word at NVMCTRL.ADDR uses opcode 0x45 and sends low byte first', async () => {
  const { link, target } = setup([
    { expect: [0x55, 0x45, 0x08, 0x10], reply: [0x40] },
    { expect: [0x85, 0x12], reply: [0x40] },
  ]);
  await link.sts(0x1008, [0x85, 0x12]);
  assert.ok(target.done, target.state);
});

test('a byte other than 0x40 where an ACK belongs is a NACK error naming the byte', async () => {
  const { link } = setup([{ expect: [0x55, 0x44, 0x00, 0x10], reply: [0x00] }]);
  await assert.rejects(link.sts(0x1000, [0x04]), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'NACK');
    assert.match(e.message, /expected ACK 0x40, received 0x00/);
    return true;
  });
});

test('with RSD on, STS and ST ptr go out without waiting and a following LDS collects all echoes', async () => {
  const { link, target, phy } = setup([
    { expect: [0x55, 0xc2, 0x0e] },
    { expect: [0x55, 0x44, 0x00, 0x10, 0x04] },
    { expect: [0x55, 0x69, 0x00, 0x80] },
    { expect: [0x55, 0x04, 0x02, 0x10], reply: [0x00] },
  ]);
  await link.stcs(0x02, 0x0e);
  assert.equal(link.rsd, true);
  await link.sts(0x1000, [0x04]);
  await link.stPtr(0x8000);
  const [status] = await link.lds(0x1002);
  assert.equal(status, 0);
  assert.ok(target.done, target.state);
  // Nothing left unchecked.
  await phy.settle();
});

test('KEY NVMProg goes out as 0xE0 and the ASCII key reversed (LSB first)', async () => {
  // "NVMProg " reversed: ' ', 'g', 'o', 'r', 'P', 'M', 'V', 'N' (facts §3.4).
  const { link, target, phy } = setup([{ expect: [0x55, 0xe0, 0x20, 0x67, 0x6f, 0x72, 0x50, 0x4d, 0x56, 0x4e] }]);
  await link.key(KEYS.nvmProg, 'NVMProg');
  await phy.settle();
  await target.idle();
  assert.ok(target.done, target.state);
  assert.deepEqual([...KEYS.chipErase], [0x65, 0x73, 0x61, 0x72, 0x45, 0x4d, 0x56, 0x4e]);
});

test('SIB read is 55 E6 with 32 answer bytes', async () => {
  const sib = Buffer.from('tinyAVR P:0D:1-3M2 (01.59B0F.0)\0', 'latin1');
  const { link, target } = setup([{ expect: [0x55, 0xe6], reply: [...sib] }]);
  const got = await link.readSib();
  assert.equal(Buffer.from(got).toString('latin1'), sib.toString('latin1'));
  assert.ok(target.done, target.state);
});

test('LD *ptr++ of 256 words is REPEAT 0xFF then 0x25 and returns 512 bytes', async () => {
  const data = Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff);
  const { link, target } = setup([{ expect: [0x55, 0xa0, 0xff, 0x55, 0x25], reply: data }]);
  const got = await link.ldInc(256, 2);
  assert.deepEqual([...got], data);
  assert.ok(target.done, target.state);
});

test('no echo at all is an ECHO error that points at the wiring', async () => {
  const { link } = setup([{ expect: [0x55, 0x80], reply: [0x30] }], { echo: false });
  // Without echo the answer byte is taken as the first echo byte: mismatch or missing echo.
  await assert.rejects(link.ldcs(0), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'ECHO');
    assert.match(e.hint ?? '', /1 kΩ resistor/);
    return true;
  });
});

test('a silent target is a TIMEOUT that says how many answer bytes came', async () => {
  const { link, target } = setup([{ expect: [0x55, 0x24] }]);
  await assert.rejects(link.ldInc(1, 1), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'TIMEOUT');
    assert.match(e.message, /0 of 1 answer bytes/);
    return true;
  });
  // The wait is the fixed 300 ms plus twice the wire time of 2 echo + 1 answer bytes at 115200
  // baud (3 × 12 bits = 0.3125 ms), rounded up: 301 ms, on the clock the script runs on.
  assert.equal(target.clock.now(), 301);
});

test('a corrupted echo byte is reported with its position', async () => {
  // A wire that flips a bit in the echo of the third byte.
  const clock = new ManualClock({ autoAdvance: true });
  const { host: pipe, device } = createPipePair({ echo: false, name: 'flaky wire', clock });
  device.onData((bytes) => device.write(bytes.map((b, i) => (i === 2 ? b ^ 0x10 : b))));
  const link = new UpdiLink(new UpdiPhysical(pipe, { baud: 115200, timeoutMs: 300, clock }));
  await assert.rejects(link.lds(0x1002), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'ECHO');
    assert.match(e.message, /byte 2 of 4 \(sent 0x02, read back 0x12\)/);
    return true;
  });
});
