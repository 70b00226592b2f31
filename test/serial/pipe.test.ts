/**
 * The in-process pipe pair: what the host writes reaches the device end asynchronously and in
 * order (BREAKs included), the echo knob behaves like the single UPDI wire, and closing or hanging
 * up ends the stream the way a port does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPipePair } from '../../src/serial/pipe.js';
import { SerialError } from '../../src/serial/errors.js';

const tick = () => new Promise((r) => setImmediate(r));

test('host bytes and BREAKs reach the device in the order sent, after the write returned', async () => {
  const { host, device } = createPipePair({ echo: false, name: 'wire' });
  const seen: string[] = [];
  device.onData((b) => seen.push(Buffer.from(b).toString('hex')));
  device.onBreak(() => seen.push('BREAK'));
  await host.write(Uint8Array.of(0x55, 0x80));
  assert.deepEqual(seen, [], 'delivery is asynchronous, like a port');
  const breakDone = host.sendBreak();
  await host.write(Uint8Array.of(0x55, 0xc3, 0x08));
  await breakDone;
  await tick();
  assert.deepEqual(seen, ['5580', 'BREAK', '55c308']);
  assert.equal(host.realBreak, true);
});

test('with echo, the host reads back what it wrote before the device answers', async () => {
  const { host, device } = createPipePair({ echo: true, name: 'wire' });
  device.onData(() => device.write(Uint8Array.of(0x30)));
  await host.write(Uint8Array.of(0x55, 0x80));
  assert.deepEqual([...(await host.read(3, 1000))], [0x55, 0x80, 0x30]);
});

test('without echo, only what the device writes comes back', async () => {
  const { host, device } = createPipePair({ echo: false });
  device.onData((b) => device.write(b.map((x) => x ^ 0xff)));
  await host.write(Uint8Array.of(0x0f));
  assert.deepEqual([...(await host.read(1, 1000))], [0xf0]);
});

test('breakAs zero-byte: the device gets a 0x00 data byte, as over a pty, and realBreak is false', async () => {
  const { host, device } = createPipePair({ echo: false, breakAs: 'zero-byte' });
  const data: number[] = [];
  let breaks = 0;
  device.onData((b) => {
    data.push(...b);
    device.write(b); // a target that echoes, like the virtual board's wire model
  });
  device.onBreak(() => breaks++);
  assert.equal(host.realBreak, false);
  await host.sendBreak();
  assert.deepEqual(data, [0x00]);
  assert.equal(breaks, 0);
  assert.equal((await host.read(1, 20).catch((e: unknown) => e)) instanceof SerialError, true, 'the echo of the BREAK byte was consumed');
});

test('close: bytes already written still arrive, then reads and writes fail with a PORT error naming the stream', async () => {
  const { host, device } = createPipePair({ echo: false, name: 'virtual ATtiny824' });
  const seen: number[] = [];
  device.onData((b) => seen.push(...b));
  const ended: (string | undefined)[] = [];
  host.onEnd((reason) => ended.push(reason));
  const pending = host.read(1, 10_000);
  await host.write(Uint8Array.of(1, 2));
  await host.close();
  await assert.rejects(pending, (e: unknown) => e instanceof SerialError && e.serialCode === 'PORT' && /virtual ATtiny824 is closed/.test(e.message));
  await assert.rejects(host.write(Uint8Array.of(3)), /closed/);
  await tick();
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(ended, [undefined], 'closed by its owner: no reason');
  device.write(Uint8Array.of(9)); // ignored, not thrown
});

test('a device that hangs up ends the host stream with the reason (what the log tail reports as port lost)', async () => {
  const { host, device } = createPipePair({ echo: false, name: 'uart' });
  const ended: (string | undefined)[] = [];
  host.onEnd((reason) => ended.push(reason));
  const pending = host.read(1, 10_000);
  device.hangUp('the board was switched off');
  assert.deepEqual(ended, ['the board was switched off']);
  await assert.rejects(pending, /uart went away \(the board was switched off\)/);
});

test('onData on the host end: chunks as the device writes them, buffered bytes first', () => {
  const { host, device } = createPipePair({ echo: false });
  device.write(Uint8Array.from(Buffer.from('V=3.3')));
  const got: string[] = [];
  host.onData((b) => got.push(Buffer.from(b).toString()));
  device.write(Uint8Array.from(Buffer.from('1\r\n')));
  assert.deepEqual(got, ['V=3.3', '1\r\n']);
});

test('flushInput drops what arrived, including bytes still on their way at the call', async () => {
  const { host, device } = createPipePair({ echo: true });
  device.onData(() => undefined);
  await host.write(Uint8Array.of(1, 2, 3));
  await host.flushInput();
  device.write(Uint8Array.of(4));
  assert.deepEqual([...(await host.read(1, 1000))], [4]);
});
