// interrupts.c on the emulator: CPUINT priority between two real sources, level-1 preemption, RETI, STATUS
// while a handler runs, and PIT wake-ups from standby at the datasheet period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, runProgram } from './avr-program.js';

test('interrupt priority, level-1 preemption, RETI and PIT wake-ups from standby', async () => {
  const flash = await buildFixture('interrupts.c');
  const run = runProgram(flash, { seconds: 5 });
  assert.equal(run.result, 'break', `program did not finish; output so far:\n${run.text}`);
  const lines = run.text.split('\n');
  // Both pending, level 0 only: the lower vector number (PIT, 4) first, PORTA (6) after its RETI.
  // CPUINT.STATUS inside a level-0 handler: LVL0EX (0x01).
  assert.equal(lines[0], 'L0 pending PpA 01');
  // PORTA as the level-1 vector is taken first even though its number is higher.
  assert.equal(lines[1], 'L1 pending APp 01');
  // A level-0 request raised inside a level-0 handler waits for RETI…
  assert.equal(lines[2], 'L0 nested PpA 01');
  // …a level-1 request preempts it at once.
  assert.equal(lines[3], 'L1 nested PAp 01');
  assert.equal(lines[4], 'TTTTT');
  assert.equal(lines[5], 'END');

  // Each 'T' is printed by the PIT handler right after a wake-up; the PIT period is 32 cycles of the 1.024 kHz
  // clock = 31.25 ms, so consecutive 'T' stop bits are 31.25 ms apart (same code path each time).
  const ts = run.bytes.filter((b) => b.byte === 0x54).map((b) => b.t);
  assert.equal(ts.length, 5);
  for (let i = 1; i < ts.length; i++) assert.ok(Math.abs(ts[i]! - ts[i - 1]! - 0.03125) < 2e-6, `tick ${i}: ${ts[i]! - ts[i - 1]!}`);
  assert.ok(run.trace.filter((e) => e.type === 'sleep' && e.mode === 'standby').length >= 4);
  // Sleeping costs no CPU cycles: over ~160 ms of standby the CPU ran only a small fraction of the time.
  assert.ok(run.chip.activeCycles < run.chip.cycles / 5, `active ${run.chip.activeCycles} of ${run.chip.cycles}`);
  // Every asleep cycle is counted in the mode it was spent in: this program only uses STANDBY.
  const [idle, standby, powerDown] = run.chip.cpu.sleepCyclesByMode;
  assert.equal(idle, 0);
  assert.equal(powerDown, 0);
  assert.ok(standby! > 0);
  assert.ok(standby! <= run.chip.cpu.sleepCycles);
});
