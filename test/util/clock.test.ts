/** The manual clock that UPDI tests run on: exact wake-up times, abort, and jumping ahead only when idle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock } from '../../src/util/clock.js';
import { createPipePair } from '../../src/serial/pipe.js';
import { SerialError } from '../../src/serial/errors.js';

test('advance wakes every sleeper that falls due, in time order, each at its own time', async () => {
  const clock = new ManualClock({ start: 100 });
  const woke: string[] = [];
  const sleep = (ms: number, name: string) => clock.sleep(ms).then(() => woke.push(`${name}@${clock.now()}`));
  const all = Promise.all([sleep(30, 'c'), sleep(10, 'a'), sleep(20, 'b'), sleep(50, 'late')]);
  clock.advance(5);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(woke, []);
  assert.equal(clock.pending, 4);
  // Sleepers are woken synchronously inside advance; their callbacks run afterwards, so the clock
  // they see is where advance stopped.
  const order: number[] = [];
  void clock.sleep(20).then(() => order.push(1));
  void clock.sleep(20).then(() => order.push(2));
  clock.advance(30);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(woke, ['a@135', 'b@135', 'c@135']);
  assert.deepEqual(order, [1, 2], 'equal times wake in the order they were asked for');
  assert.equal(clock.pending, 1);
  assert.equal(clock.advanceToNext(), true);
  await all;
  assert.equal(clock.now(), 150);
  assert.equal(clock.advanceToNext(), false);
});

test('an aborted sleep rejects with the reason and no longer counts', async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const slept = clock.sleep(10, controller.signal);
  assert.equal(clock.pending, 1);
  controller.abort(new Error('stop'));
  await assert.rejects(slept, /stop/);
  assert.equal(clock.pending, 0);
  await assert.rejects(clock.sleep(10, controller.signal), /stop/);
});

test('auto-advance waits while bytes are in flight and jumps ahead once everything waits', async () => {
  const clock = new ManualClock({ autoAdvance: true });
  const { host: pipe, device } = createPipePair({ echo: false, clock });
  // A target that answers a few event-loop turns later, with no time passing.
  device.onData((bytes) => {
    let hops = 3;
    const later = () => (--hops ? setImmediate(later) : device.write(bytes.map((b) => b + 1)));
    setImmediate(later);
  });
  await pipe.write(Uint8Array.of(1, 2));
  assert.deepEqual([...(await pipe.read(2, 1000))], [2, 3]);
  assert.equal(clock.now(), 0, 'an answer that came needed no time');
  // Nobody answers this one: the clock jumps to its timeout, exactly.
  await assert.rejects(pipe.read(1, 1000), (e: unknown) => e instanceof SerialError && e.serialCode === 'TIMEOUT' && /within 1000 ms, received 0/.test(e.message));
  assert.equal(clock.now(), 1000);
  await clock.sleep(250);
  assert.equal(clock.now(), 1250);
});

test('the system clock sleeps for real and can be aborted', async () => {
  const t0 = systemClock.now();
  await systemClock.sleep(5);
  assert.ok(systemClock.now() - t0 >= 4);
  const controller = new AbortController();
  const slept = systemClock.sleep(60_000, controller.signal);
  controller.abort();
  await assert.rejects(slept);
});
