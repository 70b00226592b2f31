import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameClock, simulatedStartNs, SimulatedFrameClock } from '../../src/logging/clock.js';
import type { Frame } from '../../src/logging/frame.js';
import { testFrame } from './fixtures.js';

/** A wall clock (ms) and a monotonic clock (ns) the test moves by hand. */
function clocks(wallMs: number) {
  const c = { wallMs, monoNs: 5_000_000_000n };
  return { c, clock: new FrameClock(() => c.wallMs, () => c.monoNs) };
}

test('ns resolution between wall-clock ms ticks, anchored to the wall clock', () => {
  const { c, clock } = clocks(1_700_000_000_000);
  assert.equal(clock.now(), 1_700_000_000_000_000_000n);
  c.monoNs += 1_234_567n; // 1.234567 ms later; Date.now() may still say the same ms
  c.wallMs += 1;
  assert.equal(clock.now(), 1_700_000_000_001_234_567n);
});

test('per series the stamps strictly increase, even for frames in the same ns or a clock step back', () => {
  const { c, clock } = clocks(1_700_000_000_000);
  const a = clock.stamp('lto-bms,id=0001');
  const b = clock.stamp('lto-bms,id=0001'); // no time passed
  assert.equal(b, a + 1n);
  // Another series may use the same instant: timestamps are unique per series.
  assert.equal(clock.stamp('lto-bms,id=0002'), a);
  // NTP steps the wall clock back 5 s: the clock re-anchors, the series still moves forward.
  c.wallMs -= 5000;
  c.monoNs += 1000n;
  const d = clock.stamp('lto-bms,id=0001');
  assert.equal(d, b + 1n);
  assert.equal(clock.now(), 1_699_999_995_000_000_000n);
});

test('a drift over one second between the two clocks re-anchors to the wall clock', () => {
  const { c, clock } = clocks(1_700_000_000_000);
  c.monoNs += 60_000_000_000n; // a minute on the monotonic clock…
  c.wallMs += 60_000 + 1_500; // …while NTP moved the wall clock 1.5 s further
  assert.equal(clock.now(), 1_700_000_061_500_000_000n);
  c.monoNs += 500_000_000n;
  c.wallMs += 500;
  assert.equal(clock.now(), 1_700_000_062_000_000_000n);
  // Under a second of drift is kept (smooth ns between ticks).
  c.monoNs += 1_000_000_000n;
  c.wallMs += 1_400;
  assert.equal(clock.now(), 1_700_000_063_000_000_000n);
});

test('simulated time: a frame is stamped with the simulated time the board sent it, not when the reader got it', () => {
  let simNow = 0;
  const clock = new SimulatedFrameClock(1_700_000_000_000_000_000n, () => simNow);
  const first = testFrame(0) as Frame;
  const second = testFrame(1) as Frame;
  clock.noteFrame(first, 0.01);
  clock.noteFrame(second, 60.01);
  simNow = 95.5; // the reader lags behind the board (the pty at max speed)
  assert.equal(clock.stamp('lto-bms,id=0007', first), 1_700_000_000_010_000_000n);
  assert.equal(clock.stamp('lto-bms,id=0007', second), 1_700_000_060_010_000_000n);
  // A frame the runtime never reported falls back to the simulated time of now, still increasing.
  assert.equal(clock.stamp('lto-bms,id=0007', testFrame(9) as Frame), 1_700_000_095_500_000_000n);
  simNow = 10;
  assert.equal(clock.stamp('lto-bms,id=0007', testFrame(10) as Frame), 1_700_000_095_500_000_001n);
});

test('simulated time: a board that resets prints a start-up frame (uptime 0) each time; the one a late reader gets is stamped with its own print time', () => {
  let simNow = 0;
  const clock = new SimulatedFrameClock(0n, () => simNow);
  const boot = testFrame(0) as Frame;
  clock.noteFrame(boot, 0.01); // powered up, before the log tail attached: never read
  clock.noteFrame({ ...boot }, 4.2); // reset by the programmer leaving UPDI
  clock.noteFrame(testFrame(1) as Frame, 64.2);
  simNow = 70; // the reader gets the last two late
  assert.equal(clock.stamp('lto-bms,id=0007', { ...boot }), 4_200_000_000n, 'the start-up frame after the reset: its own time, not the first boot\'s nor now');
  assert.equal(clock.stamp('lto-bms,id=0007', testFrame(1) as Frame), 64_200_000_000n);
});

test('simulated time is anchored so a bounded run ends now, or starts at --start', () => {
  const nowMs = 1_800_000_000_000;
  assert.equal(simulatedStartNs({ nowMs, durationSeconds: 3 * 3600 }), BigInt(nowMs - 10_800_000) * 1_000_000n);
  assert.equal(simulatedStartNs({ nowMs, durationSeconds: 3 * 3600, startMs: 1_600_000_000_000 }), 1_600_000_000_000_000_000n);
  assert.equal(simulatedStartNs({ nowMs }), BigInt(nowMs) * 1_000_000n);
});
