// Fast-forward through idle polling loops (src/sim/cpu/idle-loop.ts) is exact: the same program with it on and
// off prints the same bytes at the same instants, drives the same pins, resets at the same times and counts the
// same cycles (running, per sleep mode) and the same retired instructions. Each case also checks that the
// fast-forward really skipped something, so the comparison is not vacuous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attiny824 } from '../../../src/sim/chip.js';
import { buildFixture, runProgram, type RunOptions } from './avr-program.js';
import { chipWith, type TestChip } from './chip-harness.js';

/** Everything observable about a run, for deep comparison. */
function observe(chip: Attiny824, uart: unknown, pins: unknown) {
  const cpu = chip.cpu;
  return {
    uart,
    pins,
    resets: chip.resets,
    cycles: chip.cycles,
    active: chip.activeCycles,
    sleep: cpu.sleepCycles,
    byMode: [...cpu.sleepCyclesByMode],
    instructions: cpu.instructions,
    pc: cpu.pc,
    regs: Array.from(cpu.regs),
  };
}

async function fixtureBoth(source: string, run: RunOptions, build: Parameters<typeof buildFixture>[1] = {}) {
  const flash = await buildFixture(source, build);
  const pins: unknown[][] = [[], []];
  const out = [false, true].map((fastForward, i) => {
    const r = runProgram(flash, { ...run, fastForward, onPinChange: (pin, state, t) => void pins[i]!.push([pin, state, t]) });
    return { r, seen: observe(r.chip, r.bytes, pins[i]) };
  });
  assert.deepEqual(out[1]!.seen, out[0]!.seen, `${source}: fast-forward changed the run`);
  assert.equal(out[0]!.r.chip.cpu.fastForwardedCycles, 0);
  return out[1]!.r;
}

test('C test programs: identical with and without fast-forward (USART, PIT and NVM polling loops skipped)', async () => {
  // fw_usart0_flush() polls TXCIF; interrupts.c also waits for PIT ticks; selfprog.c polls NVMCTRL.STATUS.
  const hello = await fixtureBoth('interrupts.c', { seconds: 5 });
  assert.ok(hello.chip.cpu.fastForwardedCycles > 10_000, `interrupts.c skipped ${hello.chip.cpu.fastForwardedCycles}`);
  const selfprog = await fixtureBoth(
    'selfprog.c',
    { seconds: 1 },
    { ldflags: ['-Wl,--section-start=.selfprog=0x1000'], sections: ['.selfprog'] },
  );
  assert.ok(selfprog.chip.cpu.fastForwardedCycles > 1000, `selfprog.c skipped ${selfprog.chip.cpu.fastForwardedCycles}`);
  for (const source of ['control.c', 'arith.c']) await fixtureBoth(source, { seconds: 20 });
});

/** Runs an assembled program twice (fast-forward off, on) to `seconds` and compares everything. */
async function asmBoth(source: string, seconds: number): Promise<TestChip> {
  const runs: TestChip[] = [];
  for (const fastForward of [false, true]) {
    const t = await chipWith(source, { fastForward });
    t.chip.runUntil(seconds);
    runs.push(t);
  }
  const [off, on] = runs as [TestChip, TestChip];
  assert.deepEqual(observe(on.chip, on.uart, on.pins), observe(off.chip, off.uart, off.pins));
  assert.deepEqual(on.trace, off.trace);
  return on;
}

test('a flag set by an interrupt handler, polled in SRAM: skipped to the PIT tick, exact to the cycle', async () => {
  // PIT every 31.25 ms sets a flag in SRAM; the main loop polls it (interrupts on, no sleep), toggles PA4 and
  // clears it. A poll iteration is lds + tst + breq = 3 + 1 + 2 cycles.
  const on = await asmBoth(`
        rjmp main
        .org 0x08
        rjmp pit
main:   ldi r16, 0x10
        sts 0x0400, r16      ; PORTA.DIR: PA4 output
        ldi r16, 0x01
        sts 0x0147, r16      ; RTC.CLKSEL = INT1K
        sts 0x0152, r16      ; PITINTCTRL = PI
        ldi r16, 0x21
        sts 0x0150, r16      ; PITCTRLA = CYC32 | PITEN
        sei
poll:   lds r17, 0x3c00
        tst r17
        breq poll
        sts 0x3c00, r1       ; clear the flag (r1 = 0)
        ldi r16, 0x10
        sts 0x0407, r16      ; PORTA.OUTTGL: toggle PA4
        rjmp poll
pit:    push r16
        ldi r16, 0x01
        sts 0x0153, r16      ; clear PI
        sts 0x3c00, r16      ; flag
        pop r16
        reti
`, 0.5);
  assert.ok(on.pins.filter((p) => p.pin === 'PA4').length >= 14, 'PA4 toggled at every tick');
  assert.ok(on.chip.cpu.fastForwardedCycles > 0.8 * on.chip.activeCycles, `skipped ${on.chip.cpu.fastForwardedCycles} of ${on.chip.cycles}`);
});

test('for (;;) {} with interrupts off: skipped to the watchdog reset, which comes at the same cycle', async () => {
  // WDT period 8 ms (CTRLA PERIOD = 0x01, written under CCP), then an empty endless loop; each reset costs the
  // 64 ms start-up time of the factory fuses.
  const on = await asmBoth(`
        ldi r16, 0xd8
        ldi r17, 0x01
        out 0x34, r16        ; CCP = IOREG
        sts 0x0100, r17      ; WDT.CTRLA = PERIOD 8CLK (8 ms)
        cli
hang:   rjmp hang
`, 1);
  assert.ok(on.chip.resets.filter((r) => r.cause === 'watchdog').length >= 5, 'watchdog resets');
  assert.ok(on.chip.cpu.fastForwardedCycles > 0.8 * on.chip.activeCycles, `skipped ${on.chip.cpu.fastForwardedCycles}`);
});

test('a counting delay loop is never a fixed point: executed as is, and given up quickly', async () => {
  const on = await asmBoth(`
        ldi r24, 0xff
        ldi r25, 0xff
delay:  sbiw r24, 1
        brne delay
        break
`, 0.5);
  assert.equal(on.chip.cpu.fastForwardedCycles, 0);
  assert.equal(on.chip.stopped, true);
});
