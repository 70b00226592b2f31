/**
 * Pacing: `--speed N` never runs ahead of N × wall time, `max` keeps the event loop responsive even
 * when the program never sleeps, and a parked board (erased flash) lets no simulated time pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { BoardRuntime } from '../../../src/sim/runtime/board-runtime.js';
import { paceRuntime } from '../../../src/sim/runtime/pacer.js';
import { defaultScenario } from '../../../src/sim/scenario/index.js';

/** A board whose flash holds `rjmp .-2` at the reset vector: a CPU that is always busy. */
function busyBoard(): BoardRuntime {
  const memories = new NvmMemories();
  memories.flash.set([0xff, 0xcf], 0);
  return new BoardRuntime({ scenario: defaultScenario('LTO'), memories });
}

test('--speed N: simulated time never runs ahead of N × the wall time', async () => {
  const rt = busyBoard();
  const speed = 20;
  const ac = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ac.abort(), 600);
  assert.equal(await paceRuntime(rt, { speed, signal: ac.signal }), 'aborted');
  const wall = (performance.now() - t0) / 1000;
  assert.ok(rt.time <= speed * wall + 1e-6, `${rt.time} s simulated in ${wall} s wall at ${speed}x`);
  assert.ok(rt.time > 0, 'time moved');
});

test('--speed max with a never-sleeping program: the event loop still gets a turn every few tens of ms', async () => {
  // The wall clock is injected, so the verdict does not depend on how fast or busy this machine is:
  // every emulator call costs wall time in proportion to the CPU cycles it executed, at 20 simulated
  // MHz per wall second (slower than the emulator runs on a quiet machine, as on a loaded one).
  const rt = busyBoard();
  let wallMs = 0;
  const advance = rt.advance.bind(rt);
  rt.advance = (until: number) => {
    const before = rt.chip.cycles;
    const result = advance(until);
    wallMs += (rt.chip.cycles - before) / 20_000;
    return result;
  };
  const turns: number[] = [];
  const ac = new AbortController();
  const result = await paceRuntime(rt, {
    speed: 'max',
    signal: ac.signal,
    now: () => wallMs,
    afterSlice: () => {
      // The loop yields to the event loop right after this call.
      turns.push(wallMs);
      if (turns.length === 200) ac.abort();
    },
  });
  assert.equal(result, 'aborted');
  assert.ok(rt.chip.activeCycles > 0.9 * rt.chip.cycles, `the CPU was busy (${rt.chip.activeCycles} of ${rt.chip.cycles} cycles)`);
  let worst = turns[0]!;
  for (let i = 1; i < turns.length; i++) worst = Math.max(worst, turns[i]! - turns[i - 1]!);
  assert.ok(worst < 40, `the event loop waited ${worst.toFixed(1)} ms of (injected) wall time between turns`);
  assert.ok(wallMs > 200 * 10, `each turn still ran the emulator for a useful slice (${wallMs.toFixed(0)} ms in 200 turns)`);
});

test('an erased flash parks the board: no simulated time passes, and the scenario does not end', async () => {
  const rt = new BoardRuntime({ scenario: defaultScenario('LTO'), memories: new NvmMemories() });
  assert.equal(rt.parked, true);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  assert.equal(await paceRuntime(rt, { speed: 'max', endAt: 10, signal: ac.signal }), 'aborted');
  assert.equal(rt.time, 0);
  assert.equal(rt.chip.cpu.activeCycles, 0);
});
