/**
 * The receive buffer under every stream: exact-count reads across any fragmentation, a typed
 * TIMEOUT that lists what did arrive, failure of pending and later reads, and listener mode.
 * Timeouts run on a manual clock, so nothing here depends on the machine's speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RxBuffer } from '../../src/serial/rx-buffer.js';
import { SerialError } from '../../src/serial/errors.js';
import { ManualClock } from '../../src/util/clock.js';

test('a read of n bytes resolves with exactly n bytes, however the bytes were split', async () => {
  const rx = new RxBuffer('test');
  const read = rx.take(5, 1000);
  rx.push(Uint8Array.of(1, 2));
  rx.push(Uint8Array.of(3));
  rx.push(Uint8Array.of(4, 5, 6, 7));
  assert.deepEqual([...(await read)], [1, 2, 3, 4, 5]);
  assert.equal(rx.available, 2);
  assert.deepEqual([...(await rx.take(2, 1000))], [6, 7]);
});

test('a read that times out is a TIMEOUT SerialError naming the stream, the counts, and the bytes it consumed', async () => {
  const clock = new ManualClock();
  const rx = new RxBuffer('/dev/ttyUSB7', clock);
  const read = rx.take(4, 250);
  rx.push(Uint8Array.of(0x55, 0x80));
  clock.advance(249);
  await new Promise((r) => setImmediate(r));
  assert.equal(rx.available, 2, 'not yet timed out at 249 ms');
  clock.advance(1);
  await assert.rejects(read, (e: unknown) => {
    assert.ok(e instanceof SerialError);
    assert.equal(e.serialCode, 'TIMEOUT');
    assert.equal(e.code, 'SERIAL_TIMEOUT');
    assert.equal(e.message, 'no answer from the target on /dev/ttyUSB7: expected 4 bytes within 250 ms, received 2');
    assert.deepEqual(e.details.receivedBytes, [0x55, 0x80]);
    assert.equal(e.details.port, '/dev/ttyUSB7');
    return true;
  });
  assert.equal(rx.available, 0, 'the partial bytes are consumed with the error');
});

test('a read that completes cancels its timer', async () => {
  const clock = new ManualClock();
  const rx = new RxBuffer('test', clock);
  const read = rx.take(1, 100);
  assert.equal(clock.pending, 1);
  rx.push(Uint8Array.of(9));
  assert.deepEqual([...(await read)], [9]);
  assert.equal(clock.pending, 0);
});

test('fail() rejects the pending read and every later one with that error', async () => {
  const rx = new RxBuffer('test', new ManualClock());
  const pending = rx.take(1, 100);
  const lost = new SerialError('PORT', 'serial port test was closed');
  rx.fail(lost);
  await assert.rejects(pending, (e) => e === lost);
  await assert.rejects(rx.take(1, 100), (e) => e === lost);
});

test('two reads at once are a programming error, not a silent interleaving', async () => {
  const rx = new RxBuffer('test', new ManualClock());
  void rx.take(1, 100).catch(() => undefined);
  await assert.rejects(rx.take(1, 100), /concurrent reads/);
});

test('listen() hands on what is buffered, then every chunk as it comes', () => {
  const rx = new RxBuffer('test');
  rx.push(Uint8Array.of(1, 2));
  const got: number[][] = [];
  rx.listen((b) => got.push([...b]));
  rx.push(Uint8Array.of(3));
  assert.deepEqual(got, [[1, 2], [3]]);
  assert.equal(rx.available, 0);
});

test('clear() drops what is buffered and says how much', () => {
  const rx = new RxBuffer('test');
  rx.push(Uint8Array.of(1, 2, 3));
  assert.equal(rx.clear(), 3);
  assert.equal(rx.available, 0);
});
