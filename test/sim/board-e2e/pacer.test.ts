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

/** Runs `fn` while sampling the event loop every 2 ms; returns the longest gap between samples (ms). */
async function longestGap(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return worst;
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
  const rt = busyBoard();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 800);
  const gap = await longestGap(() => paceRuntime(rt, { speed: 'max', signal: ac.signal }));
  assert.ok(rt.chip.activeCycles > 0.9 * rt.chip.cycles, `the CPU was busy (${rt.chip.activeCycles} of ${rt.chip.cycles} cycles)`);
  assert.ok(gap < 80, `the event loop waited ${gap.toFixed(0)} ms`);
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
