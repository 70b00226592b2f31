/**
 * Application-layer sequences against transcripts written from ATTINY824_FACTS.md §3.3–3.4 and
 * §4.3/4.5/4.10: CS addresses (ASI_KEY_STATUS 7, ASI_RESET_REQ 8, ASI_SYS_STATUS 0xB), the reset
 * signature 0x59, the key bytes, and the status bits (NVMPROG 0x10 in KEY_STATUS, NVMPROG 0x08 and
 * LOCKSTATUS 0x01 in SYS_STATUS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpdiSession, decodeSib, maxBaudForVdd, updiClockFor } from '../../src/updi/session.js';
import { UpdiError } from '../../src/updi/errors.js';
import { ScriptedTarget, type Step } from './scripted.js';

const NVMPROG_KEY = [0x55, 0xe0, ...Buffer.from('NVMProg ').reverse()];
const ERASE_KEY = [0x55, 0xe0, ...Buffer.from('NVMErase').reverse()];
const RESET_ON = [0x55, 0xc8, 0x59];
const RESET_OFF = [0x55, 0xc8, 0x00];
const SYS_STATUS = [0x55, 0x8b];
const KEY_STATUS = [0x55, 0x87];

function session(steps: Step[]) {
  const target = new ScriptedTarget(steps);
  return { target, s: new UpdiSession(target.pipe, { timeoutMs: 300, pollMs: 2000, clock: target.clock }) };
}

test('enter programming mode: reset, NVMPROG key, key status, reset toggle, wait for NVMPROG', async () => {
  // LOCKSTATUS set before the key means a locked part: refused (LOCKED), and no key is sent.
  const locked = session([{ expect: SYS_STATUS, reply: [0x01] }]);
  await assert.rejects(locked.s.enterProgMode(), (e: unknown) => e instanceof UpdiError && e.updiCode === 'LOCKED');
  assert.ok(locked.target.done, locked.target.state);

  const ok = session([
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x10] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x00] },
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: SYS_STATUS, reply: [0x08] },
  ]);
  await ok.s.enterProgMode();
  assert.equal(ok.s.progMode, true);
  assert.ok(ok.target.done, ok.target.state);
});

const LINK_INIT = [0x55, 0xc3, 0x08, 0x55, 0xc2, 0x06, 0x55, 0x80];

test('a key that does not show in ASI_KEY_STATUS is sent again after a resync; the reset is released each time', async () => {
  // A key byte damaged on the wire is rejected like a wrong key: double BREAK, link init, again.
  const { s, target } = session([
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x00] },
    { expect: [...RESET_OFF, ...LINK_INIT], reply: [0x30] },
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x10] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x08] },
    { expect: SYS_STATUS, reply: [0x08] },
  ]);
  await s.enterProgMode();
  assert.equal(s.progMode, true);
  assert.equal(target.breaks, 2);
  assert.equal(s.resyncs, 1);
  assert.ok(target.done, target.state);
});

test('a key that is never accepted is KEY_REJECTED after 3 resyncs, with the reset released', async () => {
  const rejected = (first: boolean): Step[] => [
    ...(first ? [] : [{ expect: [...RESET_OFF, ...LINK_INIT], reply: [0x30] }]),
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x00] },
  ];
  const { s, target } = session([...rejected(true), ...rejected(false), ...rejected(false), ...rejected(false), { expect: RESET_OFF }]);
  await assert.rejects(s.enterProgMode(), (e: unknown) => e instanceof UpdiError && e.updiCode === 'KEY_REJECTED');
  await s.phy.settle();
  await target.idle();
  assert.equal(s.resyncs, 3);
  assert.ok(target.done, target.state);
});

test('unlocking a locked part: CHIPERASE key, reset toggle, LOCKSTATUS clears, then programming mode', async () => {
  const { s, target } = session([
    { expect: [...ERASE_KEY, ...KEY_STATUS], reply: [0x08] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x01] },
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x10] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x08] },
    { expect: SYS_STATUS, reply: [0x08] },
  ]);
  await s.unlockWithChipErase();
  assert.equal(s.progMode, true);
  assert.ok(target.done, target.state);
});

test('leaving programming mode resets the part and disables UPDI (CTRLB = UPDIDIS | CCDETDIS)', async () => {
  const { s, target } = session([{ expect: [...RESET_ON, ...RESET_OFF, 0x55, 0xc3, 0x0c] }]);
  s.progMode = true;
  assert.equal(await s.close(), undefined);
  assert.equal(s.progMode, false);
  await target.idle();
  assert.ok(target.done, target.state);
});

test('leaving programming mode after a byte damaged on the wire: resync, and the leave is sent again', async () => {
  // The target echoes by script here, so the first leave's echo can come back damaged.
  const LEAVE = [...RESET_ON, ...RESET_OFF, 0x55, 0xc3, 0x0c];
  const damaged = LEAVE.map((b, i) => (i === 3 ? b ^ 0x01 : b));
  const target = new ScriptedTarget(
    [
      { expect: LEAVE, reply: damaged },
      { expect: LINK_INIT, reply: [...LINK_INIT, 0x30] },
      { expect: LEAVE, reply: LEAVE },
    ],
    { echo: false },
  );
  const s = new UpdiSession(target.pipe, { timeoutMs: 300, pollMs: 2000, clock: target.clock });
  s.progMode = true;
  assert.equal(await s.close(), undefined, 'no problem left: the second leave went through');
  assert.equal(s.progMode, false);
  assert.equal(s.resyncs, 1);
  assert.equal(target.breaks, 2, 'one double BREAK, and programming mode was not entered again for it');
  await target.idle();
  assert.ok(target.done, target.state);
});

test('SIB fields are sliced like pymcuprog and avrdude do', () => {
  const sib = decodeSib(Buffer.from('tinyAVR P:0D:1-3M2 (01.59B0F.0)\0', 'latin1'));
  assert.equal(sib.family, 'tinyAVR');
  assert.equal(sib.nvm, 'P:0');
  assert.equal(sib.ocd, 'D:1');
  assert.equal(sib.osc, '3M2');
});

test('baud limits follow the data sheet supply table; the UPDI clock is raised above 225 k', () => {
  assert.equal(maxBaudForVdd(1.8), 225_000);
  assert.equal(maxBaudForVdd(2.2), 450_000);
  assert.equal(maxBaudForVdd(3.3), 900_000);
  assert.equal(maxBaudForVdd(1.5), 0);
  assert.deepEqual(updiClockFor(115200), { sel: 3, mhz: 4 });
  assert.deepEqual(updiClockFor(230400), { sel: 2, mhz: 8 });
  assert.deepEqual(updiClockFor(460800), { sel: 1, mhz: 16 });
});

test('connect above 115200: link up at 115200, UPDI clock to 8 MHz (ASI_CTRLA = 2), then the new baud', async () => {
  const sib = [...Buffer.from('tinyAVR P:0D:1-3M2 (01.59B0F.0)\0', 'latin1')];
  const target = new ScriptedTarget([
    { expect: [0x00] }, // the enable pulse / BREAK byte
    { expect: [0x55, 0xc3, 0x08, 0x55, 0xc2, 0x06, 0x55, 0x80], reply: [0x30] },
    { expect: [0x55, 0xe6], reply: sib },
    { expect: [0x55, 0xc9, 0x02] },
    { expect: [0x55, 0x80], reply: [0x30] },
    { expect: [0x55, 0x8b], reply: [0x01] },
  ]);
  const bauds: number[] = [];
  const setBaud = target.pipe.setBaud.bind(target.pipe);
  target.pipe.setBaud = async (b: number) => {
    bauds.push(b);
    await setBaud(b);
  };
  const s = new UpdiSession(target.pipe, { baud: 230400, timeoutMs: 300, clock: target.clock });
  await s.connect();
  assert.equal(s.sib?.nvm, 'P:0');
  assert.deepEqual(bauds, [230400]);
  assert.ok(target.done, target.state);
});

test('a link that fails at the raised speed is a BAUD error that says to lower --baud', async () => {
  const sib = [...Buffer.from('tinyAVR P:0D:1-3M2 (01.59B0F.0)\0', 'latin1')];
  const target = new ScriptedTarget([
    { expect: [0x00] },
    { expect: [0x55, 0xc3, 0x08, 0x55, 0xc2, 0x06, 0x55, 0x80], reply: [0x30] },
    { expect: [0x55, 0xe6], reply: sib },
    { expect: [0x55, 0xc9, 0x01] }, // 460800 needs the 16 MHz UPDI clock
    { expect: [0x55, 0x80] }, // …and then nothing answers
  ]);
  const s = new UpdiSession(target.pipe, { baud: 460800, timeoutMs: 50, clock: target.clock });
  await assert.rejects(s.connect(), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'BAUD');
    assert.match(e.message, /fails at 460800 baud \(UPDI clock 16 MHz\)/);
    assert.match(e.hint ?? '', /lower --baud/);
    return true;
  });
  // No wait after the enable pulse (its echo is taken as it arrives), then one receive timeout:
  // 50 ms plus twice the wire time of 2 echo + 1 answer bytes at 460800 baud (0.078 ms), rounded
  // up to 51 ms. A BAUD error is not retried: a resync at the start baud would only hide it.
  assert.equal(target.clock.now(), 51);
});

test('programming mode that never comes is PROGMODE after the poll time, not an endless poll', async () => {
  const { s, target } = session([
    { expect: SYS_STATUS, reply: [0x00] },
    { expect: [...RESET_ON, ...NVMPROG_KEY, ...KEY_STATUS], reply: [0x10] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x00] },
    // Lock released at once; then NVMPROG stays 0 for 2000 ms of polls, 500 ms each.
    ...Array.from({ length: 5 }, () => ({ expect: SYS_STATUS, reply: [0x00], takesMs: 500 })),
  ]);
  await assert.rejects(s.enterProgMode(), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'PROGMODE');
    assert.equal(e.message, 'timed out after 2000 ms waiting for programming mode (ASI_SYS_STATUS 0x0)');
    return true;
  });
  assert.equal(s.progMode, false);
  assert.equal(target.consumed, 3 + 4);
  assert.equal(target.clock.now(), 2000);
});

test('a lock that is not released after unlocking is LOCKED after the poll time', async () => {
  const { s, target } = session([
    { expect: [...ERASE_KEY, ...KEY_STATUS], reply: [0x08] },
    { expect: [...RESET_ON, ...RESET_OFF, ...SYS_STATUS], reply: [0x01] },
    ...Array.from({ length: 8 }, () => ({ expect: SYS_STATUS, reply: [0x01], takesMs: 250 })),
  ]);
  await assert.rejects(s.unlockWithChipErase(), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'LOCKED');
    // The poll time is the session's (2000 ms here), never less than 500 ms.
    assert.equal(e.message, 'timed out after 2000 ms waiting for unlock by chip erase (ASI_SYS_STATUS 0x1)');
    return true;
  });
  assert.equal(target.consumed, 2 + 8);
});
