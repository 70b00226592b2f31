// The simulated clock: cycle ↔ time conversion across frequency changes, and event ordering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimClock } from '../../../src/sim/cpu/events.js';
import { prng } from './harness.js';

test('cycleAt(t) is the first cycle whose time is >= t, for any t and after frequency changes', () => {
  // Regression: a float round-trip used to put an event's cycle a hair before its time, so a handler that
  // compared times (NVM busy until …) rescheduled itself at the same cycle for ever.
  const rnd = prng(7);
  const clock = new SimClock(20e6 / 6);
  for (let round = 0; round < 50; round++) {
    clock.cycles += Math.floor(rnd() * 1e6);
    clock.setCpuHz([20e6 / 6, 1.25e6, 16e6 / 16, 32768, 20e6][round % 5]!);
    for (let i = 0; i < 200; i++) {
      const t = clock.time + rnd() * 10;
      const c = clock.cycleAt(t);
      assert.ok(clock.timeOf(c) >= t, `time of cycle ${c} is before ${t}`);
      assert.ok(clock.timeOf(c - 1) < t, `cycle ${c - 1} would already reach ${t}`);
    }
  }
});

test('events fire in time order, same-time events in scheduling order, after a frequency change too', () => {
  const clock = new SimClock(1e6);
  const fired: string[] = [];
  clock.schedule(3e-3, () => fired.push('c'));
  clock.schedule(1e-3, () => fired.push('a'));
  clock.schedule(1e-3, () => fired.push('a2'));
  const cancelled = clock.schedule(2e-3, () => fired.push('x'));
  clock.scheduleInCycles(2500, () => fired.push('b'));
  clock.cancel(cancelled);
  clock.cycles = 1500;
  clock.setCpuHz(2e6); // from 1.5 ms on, 2 cycles per µs: 3 ms is cycle 1500 + 3000
  assert.ok(clock.nextEventCycle <= 1500, 'a frequency change makes the CPU loop look at the clock');
  clock.runDue();
  assert.deepEqual(fired, ['a', 'a2']);
  assert.equal(clock.nextEventCycle, 1500 + 2000); // 'b' at 2.5 ms
  clock.cycles = 4500;
  clock.runDue();
  assert.deepEqual(fired, ['a', 'a2', 'b', 'c']);
  assert.equal(clock.nextEventCycle, Infinity);
});
