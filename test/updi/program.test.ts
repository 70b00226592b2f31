/**
 * The whole driver (session, NVM, planner, executor) against H3b's virtual ATtiny824 in-process.
 * Expectations come from the target's memories and its NVM controller's command counters, i.e.
 * from an independent model of the part, never from the driver itself. Driver and target share a
 * manual clock (see sim-pipe.ts): timing is the wire's and the data sheet's, not the machine's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeHarness as harness } from './sim-pipe.js';
import { withProgrammer } from '../../src/updi/connect.js';
import { planProgram } from '../../src/updi/plan.js';
import { UpdiError } from '../../src/updi/errors.js';
import { createPipePair } from '../../src/serial/pipe.js';
import { ManualClock } from '../../src/util/clock.js';
import type { ProgressEvent } from '../../src/updi/progress.js';
import { InterruptedError } from '../../src/errors.js';
import { NvmMemories } from '../../src/sim/nvm/memories.js';

function pattern(n: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

test('a full 8 KB image is erase-written page by page (128 ERWP) and lands byte for byte', async () => {
  const h = harness();
  const image = pattern(8192, 1);
  const result = await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    assert.equal(device.name, 'ATtiny824');
    return p.program(planProgram({ flash: [{ address: 0, data: image }] }, device));
  });
  assert.deepEqual(h.sim.memories.flash, image);
  assert.equal(h.sim.nvmctrl.counts.ERWP, 128);
  assert.equal(h.sim.nvmctrl.counts.rejected, 0);
  assert.equal(result.verified, 8192);
  // On a wire paced at 115200 baud a page's read-back (64 bytes, 6.7 ms) outlasts an erase-write
  // (4 ms): the timing checks hold and every page streams pipelined, with nothing to redo.
  assert.equal(result.pageMode, 'pipelined');
  assert.equal(result.retries, 0);
  // The session ended with UPDI disabled (programming mode left, part running).
  assert.ok(h.updiEvents.some((e) => e.type === 'disabled'));
  h.sim.close();
});

test('a wire faster than its baud rate says: the timing check finds the controller busy, pages go on pipelined with a status poll after each, none is rejected', async () => {
  // Bytes cross at 1 Mbaud while the programmer counts 115200: a page's read-back (0.8 ms) ends
  // before its erase-write (4 ms), so the guess that pipelined writes rely on is wrong.
  const h = harness({ baud: 1_000_000 });
  const image = pattern(2048, 6);
  const result = await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    return p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify()));
  });
  assert.equal(result.pageMode, 'polled');
  assert.equal(result.retries, 0);
  assert.equal(h.sim.nvmctrl.counts.rejected, 0);
  assert.equal(h.sim.nvmctrl.counts.ERWP, 32, 'each page written once: nothing redone');
  assert.deepEqual(h.sim.memories.flash.subarray(0, 2048), image);
  assert.equal(result.verified, 2048);
  h.sim.close();
});

test('after --erase only non-blank pages are written (WP), and blank ones are still verified', async () => {
  const h = harness();
  h.sim.memories.flash.fill(0x00); // old firmware everywhere
  const image = new Uint8Array(1024).fill(0xff);
  image.set(pattern(100, 2), 200); // pages 3, 4 (200..299)
  const result = await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    return p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify(), { chipErase: true }));
  });
  assert.equal(h.sim.nvmctrl.counts.CHER, 1);
  assert.equal(h.sim.nvmctrl.counts.WP, 2);
  assert.deepEqual(h.sim.memories.flash.subarray(0, 1024), image);
  assert.ok(h.sim.memories.flash.subarray(1024).every((b) => b === 0xff), 'chip erase cleared the rest');
  assert.equal(result.verified, 1024);
  h.sim.close();
});

test('EEPROM writes touch exactly the image bytes (byte-granular ERWP)', async () => {
  const h = harness();
  const before = pattern(128, 3);
  h.sim.memories.eeprom.set(before);
  const data = Uint8Array.of(0x37, 0x73, 0x07);
  await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    await p.program(planProgram({ eeprom: [{ address: 30, data }] }, await p.identify()));
  });
  const expected = Uint8Array.from(before);
  expected.set(data, 30); // 30, 31 in page 0 and 32 in page 1
  assert.deepEqual(h.sim.memories.eeprom, expected);
  h.sim.close();
});

test('fuses are written with WFU and read back; reserved bytes stay untouched', async () => {
  const h = harness();
  const reservedBefore = [h.sim.memories.fuses[3], h.sim.memories.fuses[4]];
  const fuses = Uint8Array.of(0x7a, 0x00, 0x7e, 0x12, 0x34, 0xf7, 0xff, 0x00, 0x00);
  const result = await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    return p.program(planProgram({ fuses: [{ address: 0, data: fuses }] }, await p.identify()));
  });
  assert.deepEqual([...h.sim.memories.fuses.subarray(0, 3)], [0x7a, 0x00, 0x7e]);
  assert.deepEqual([...h.sim.memories.fuses.subarray(5, 9)], [0xf7, 0xff, 0x00, 0x00]);
  assert.deepEqual([h.sim.memories.fuses[3], h.sim.memories.fuses[4]], reservedBefore);
  assert.equal(h.sim.nvmctrl.counts.WFU, 7);
  assert.equal(result.verified, 7);
  h.sim.close();
});

test('chip erase keeps the EEPROM when EESAVE is set and erases it otherwise', async () => {
  for (const eesave of [true, false]) {
    const h = harness();
    h.sim.memories.flash.fill(0x11);
    h.sim.memories.eeprom.fill(0x22);
    h.sim.memories.fuses[5] = eesave ? 0xf7 : 0xf6;
    await withProgrammer(h.connect, (p) => p.chipErase());
    assert.ok(h.sim.memories.flash.every((b) => b === 0xff));
    assert.ok(h.sim.memories.eeprom.every((b) => b === (eesave ? 0x22 : 0xff)), `EESAVE ${eesave}`);
    h.sim.close();
  }
});

test('a locked part refuses programming mode (LOCKED); chip erase unlocks it', async () => {
  const memories = new NvmMemories();
  memories.lockbits[0] = 0x3a;
  memories.flash.fill(0x5a);
  const h = harness({ memories });
  await assert.rejects(
    withProgrammer(h.connect, (p) => p.session.enterProgMode()),
    (e: unknown) => e instanceof UpdiError && e.updiCode === 'LOCKED' && /ltobms erase/.test(e.hint ?? ''),
  );
  const r = await withProgrammer(h.connect, (p) => p.chipErase());
  assert.equal(r.wasLocked, true);
  assert.equal(h.sim.memories.lockbits[0], 0xc5);
  assert.ok(h.sim.memories.flash.every((b) => b === 0xff));
  // And now it programs normally.
  await withProgrammer(h.connect, async (p) => {
    await p.session.enterProgMode();
    await p.program(planProgram({ flash: [{ address: 0, data: Uint8Array.of(1, 2, 3, 4) }] }, await p.identify()));
  });
  assert.deepEqual([...h.sim.memories.flash.subarray(0, 4)], [1, 2, 3, 4]);
  h.sim.close();
});

test('a flash cell that does not take the data ends in VERIFY naming the first differing address', async () => {
  let h: ReturnType<typeof harness> | undefined = undefined;
  // Byte 0x45 is stuck at 0x00, whatever is written.
  h = harness({ onNvmChange: () => void (h!.sim.memories.flash[0x45] = 0x00) });
  const image = new Uint8Array(128).fill(0xa5);
  const events: ProgressEvent[] = [];
  await assert.rejects(
    withProgrammer({ ...h.connect, onProgress: (e) => events.push(e) }, async (p) => {
      await p.session.enterProgMode();
      await p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify()));
    }),
    (e: unknown) => {
      assert.ok(e instanceof UpdiError);
      assert.equal(e.updiCode, 'VERIFY');
      assert.match(e.message, /flash at offset 0x0045 \(data address 0x8045\) reads 0x00, expected 0xa5/);
      return true;
    },
  );
  // It was rewritten (bounded) before giving up.
  assert.ok(events.filter((e) => e.type === 'retry').length >= 1);
  assert.ok(h.updiEvents.some((e) => e.type === 'disabled'), 'programming mode left after the error');
  h.sim.close();
});

test('Ctrl-C (abort) stops between pages, and programming mode is still left', async () => {
  const h = harness();
  const controller = new AbortController();
  let pages = 0;
  await assert.rejects(
    withProgrammer(
      {
        ...h.connect,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'progress' && e.phase === 'program' && ++pages === 10) controller.abort();
        },
      },
      async (p) => {
        await p.session.enterProgMode();
        await p.program(planProgram({ flash: [{ address: 0, data: pattern(8192, 4) }] }, await p.identify()));
      },
    ),
    (e: unknown) => e instanceof InterruptedError,
  );
  assert.equal(h.sim.nvmctrl.counts.ERWP, 10);
  assert.ok(h.updiEvents.some((e) => e.type === 'disabled'));
  h.sim.close();
});

test('an adapter with nothing on the UPDI pin: LINK error after a double BREAK, port closed', async () => {
  // Every wait (enable pulse, answer timeouts, the idle gap before each BREAK) passes on a clock
  // that jumps ahead whenever the programmer waits.
  const clock = new ManualClock({ autoAdvance: true });
  const { host: pipe, device } = createPipePair({ echo: true, name: 'lonely adapter', clock });
  let breaks = 0;
  device.onBreak(() => breaks++);
  await assert.rejects(withProgrammer({ port: 'x', baud: 115200, transport: pipe, timeoutMs: 20, clock }, async () => undefined), (e: unknown) => {
    assert.ok(e instanceof UpdiError);
    assert.equal(e.updiCode, 'LINK');
    assert.match(e.message, /also after double BREAK/);
    return true;
  });
  assert.ok(breaks >= 2);
  // The enable pulse's echo comes back at once; link init (20 ms + twice the wire time of 9 bytes,
  // 22 ms), then twice a double BREAK, 20 ms of quiet line (the tail of an answer must not shift
  // the next one) and link init again: 22 + 2 × (20 + 22). No idle gap before the BREAKs: this
  // pipe carries a real BREAK (the idle wait is only for a pty's 0x00 BREAK).
  assert.equal(clock.now(), 106);
  await assert.rejects(pipe.write(Uint8Array.of(0x55)), /closed/);
});

test('fault injection: every run ends with the exact image or an error, never with wrong data', async () => {
  const image = pattern(2048, 5);
  let recovered = 0;
  for (const seed of [11, 12, 13]) {
    // A short answer timeout: every injected loss costs one, and there are dozens.
    const h = harness({ faults: { drop: 0.0002, corrupt: 0.0002, delay: 0, delaySeconds: 0.02, seed } }, 60);
    let retries = 0;
    let failed: unknown;
    try {
      const r = await withProgrammer(h.connect, async (p) => {
        await p.session.enterProgMode();
        return p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify()));
      });
      retries = r.retries;
    } catch (err) {
      failed = err;
    }
    if (failed === undefined) {
      assert.deepEqual(h.sim.memories.flash.subarray(0, 2048), image, `seed ${seed}: reported success, so the flash must hold the image`);
      if (retries > 0) recovered++;
    } else {
      assert.ok(failed instanceof UpdiError, `seed ${seed}: failures are reported as UpdiError, got ${String(failed)}`);
    }
    h.sim.close();
  }
  assert.ok(recovered >= 1, 'at least one run recovered from injected faults');
});
