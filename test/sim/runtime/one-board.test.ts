// One virtual board: the chip owns its UPDI and its one NVM controller, both on the chip's clock.
// A programmer talks to a BoardRuntime's chip through the wire model on a hand-driven clock, with
// literal UPDI bytes (ATTINY824_FACTS.md §3–4): NVM busy times pass while the CPU is parked, the
// board's own time does not, and the scenario resumes where it stopped when the firmware restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BoardRuntime } from '../../../src/sim/runtime/board-runtime.js';
import { defaultScenario } from '../../../src/sim/scenario/index.js';
import { UpdiLink } from '../../../src/sim/updi/link.js';
import { ManualClock } from '../../../src/sim/wire/clock.js';
import { hostBytes } from '../updi/host-bytes.js';

const NVMCTRL_CTRLA = 0x1000;
const NVMCTRL_STATUS = 0x1002;
const FBUSY = 0x01;
const ERWP = 0x03;
const FLASH = 0x8000;
/** `rjmp .-2` at the reset vector: a CPU that is always busy. */
const BUSY_LOOP = [0xff, 0xcf];

/** Equal within a few CPU cycles (an instruction may end past the requested time). */
const near = (actual: number, expected: number) => Math.abs(actual - expected) < 1e-5;

function programmer(runtime: BoardRuntime) {
  const clock = new ManualClock(1000); // the wire's clock does not start where the chip's does
  const received: number[] = [];
  const link = new UpdiLink(runtime.chip, { clock, toHost: (bytes) => received.push(...bytes) });
  const host = hostBytes((bytes) => link.hostWrite(bytes), received);
  return {
    ...host,
    clock,
    enterProgMode() {
      host.enterProgmode();
      assert.equal(host.ldcs(0x0b)[0]! & 0x08, 0x08, 'ASI_SYS_STATUS.NVMPROG');
    },
    /** CTRLB.UPDIDIS: the session ends, the CPU is released. */
    leave: () => host.stcs(0x03, 0x0c),
  };
}

test('a parked board (no firmware): a page write keeps NVMCTRL busy for 4 ms of wire time, and the board time stands still', () => {
  const runtime = new BoardRuntime({ scenario: defaultScenario('LTO'), memories: new NvmMemories() });
  assert.equal(runtime.parked, true);
  const p = programmer(runtime);
  p.enterProgMode();
  sts(p, FLASH, BUSY_LOOP);
  p.sts(NVMCTRL_CTRLA, ERWP);
  assert.equal(p.lds(NVMCTRL_STATUS) & FBUSY, FBUSY, 'busy right after the command');
  p.clock.advance(0.0039);
  assert.equal(p.lds(NVMCTRL_STATUS) & FBUSY, FBUSY, 'busy 3.9 ms later (page erase-write: 4 ms)');
  p.clock.advance(0.0002);
  assert.equal(p.lds(NVMCTRL_STATUS), 0, 'ready 4.1 ms later');
  // The one controller: the chip's own counted the UPDI's command.
  assert.equal(runtime.chip.nvmctrl.counts.ERWP, 1);
  assert.deepEqual([...runtime.memories.flash.subarray(0, 2)], BUSY_LOOP);
  assert.ok(runtime.chip.time >= 0.004, `the chip's clock moved (${runtime.chip.time} s)`);
  assert.equal(runtime.time, 0, 'the board did not live through the programming');
  assert.equal(runtime.chip.activeCycles, 0, 'no instruction ran');

  p.leave();
  assert.equal(runtime.parked, false, 'firmware in flash: the CPU runs after the session');
  assert.equal(runtime.chip.resets.at(-1)?.cause, 'updi');
  assert.ok(near(runtime.advance(0.5), 0.5), 'board time runs from 0');
  assert.ok(runtime.chip.activeCycles > 0, 'the new code runs');
});

test('a running board held by a programmer resumes its scenario where it stopped, however long the session took', () => {
  const memories = new NvmMemories();
  memories.flash.set(BUSY_LOOP, 0);
  const runtime = new BoardRuntime({ scenario: defaultScenario('LTO'), memories });
  assert.ok(near(runtime.advance(2), 2));
  const p = programmer(runtime);
  p.enterProgMode();
  assert.equal(runtime.parked, true);
  p.clock.advance(30);
  assert.equal(p.lds(NVMCTRL_STATUS), 0);
  assert.ok(runtime.chip.time >= 32, `the chip's clock covers the session (${runtime.chip.time} s)`);
  assert.ok(near(runtime.time, 2), `board time stood at 2 s (${runtime.time})`);
  p.leave();
  assert.equal(runtime.parked, false);
  assert.ok(near(runtime.time, 2), `resumes at 2 s (${runtime.time})`);
  runtime.advance(3);
  assert.ok(near(runtime.time, 3), `and runs on to 3 s (${runtime.time})`);
  // The board model saw board time only: its snapshot is at 3 s, not at the chip's 33 s.
  assert.ok(near(runtime.snapshot().t, 3), `board snapshot at ${runtime.snapshot().t} s`);
});

test('after a park of any length, advance(t) reaches t and returns (board time is the chip time less the park)', { timeout: 60_000 }, () => {
  const memories = new NvmMemories();
  memories.flash.set(BUSY_LOOP, 0);
  const runtime = new BoardRuntime({ scenario: defaultScenario('LTO'), memories });
  const p = programmer(runtime);
  // With a 2.25 s session, (0.03 + 2.25) − 2.25 < 0.03 in floating point: a loop on board time never got there.
  p.enterProgMode();
  p.clock.advance(2.25);
  p.ldcs(0x00);
  p.leave();
  for (let k = 1; k <= 300; k++) {
    const t = k * 0.01;
    assert.ok(near(runtime.advance(t), t), `advance(${t}) reached ${runtime.time}`);
  }
});

test('a board run far ahead of the wire (--speed max) takes a 0x00 operand for data, not a BREAK: the line idle time is the wire\'s', () => {
  const memories = new NvmMemories();
  memories.flash.set(BUSY_LOOP, 0);
  const runtime = new BoardRuntime({ scenario: defaultScenario('LTO'), memories });
  const p = programmer(runtime);
  p.xfer(0x00); // enable pulse
  p.stcs(0x03, 0x08); // CTRLB: CCDETDIS
  assert.equal(runtime.parked, false, 'no programming mode: the firmware runs');
  const breaks = runtime.chip.updi.stats.breaks;
  // LDS from 0x1000: its first address byte is 0x00. Between opcode and operand the board runs
  // 1 s ahead (its owner paces it) while 1 ms passes on the wire.
  p.xfer(0x55, 0x04);
  runtime.advance(runtime.time + 1);
  p.clock.advance(0.001);
  assert.deepEqual(p.xfer(0x00, 0x10), [0x00], 'NVMCTRL.CTRLA read: the 0x00 was an address byte');
  assert.equal(runtime.chip.updi.stats.breaks, breaks, 'no BREAK seen');
  // A real pause on the wire is still one: a 0x00 after 0.2 s of silence mid-instruction.
  p.xfer(0x55, 0x04);
  p.clock.advance(0.2);
  assert.deepEqual(p.xfer(0x00), [], 'taken as a BREAK: no instruction completes');
  assert.equal(runtime.chip.updi.stats.breaks, breaks + 1);
});

/** Loads bytes into the page buffer through the UPDI, one STS each. */
function sts(p: ReturnType<typeof programmer>, address: number, bytes: number[]): void {
  bytes.forEach((b, i) => p.sts(address + i, b));
}
