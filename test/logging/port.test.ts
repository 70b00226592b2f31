/**
 * The log tail's port reader on the byte-stream seam, with in-process pipe pairs in place of an
 * adapter: bytes as they come, an unplug ending the reader with a lost-port error (or, told to
 * reconnect, reported as port-lost and the port reopened), a missing port waited for (announced
 * once), no permission as an error with the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPort, type PortStatus } from '../../src/logging/port.js';
import { createPipePair, type PipePair } from '../../src/serial/pipe.js';
import { isLostPort, SerialError } from '../../src/serial/errors.js';

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 10_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(ok(), what);
};

function missing(path: string): SerialError {
  return new SerialError('PORT', `serial port ${path} cannot be opened (No such file or directory, cannot open ${path})`, { details: { port: path, reason: 'No such file or directory' } });
}

test('told to reconnect: chunks as they come; an unplugged adapter is port-lost, waited for, and read again when it is back', async () => {
  const pairs: PipePair[] = [];
  let plugged = true;
  const statuses: PortStatus[] = [];
  const chunks: string[] = [];
  let ends = 0;
  const stop = new AbortController();
  const running = runPort({
    path: '/dev/ttyBMS',
    baudRate: 115200,
    signal: stop.signal,
    reopenMs: 1,
    onLost: 'reconnect',
    open: async (path) => {
      if (!plugged) throw missing(path);
      const pair = createPipePair({ echo: false, name: path });
      pairs.push(pair);
      return pair.host;
    },
    onData: (b) => chunks.push(Buffer.from(b).toString()),
    onEnd: () => ends++,
    onStatus: (s) => statuses.push(s),
  });
  await until('first open', () => pairs.length === 1);
  pairs[0]!.device.write(Uint8Array.from(Buffer.from('V=3.3')));
  pairs[0]!.device.write(Uint8Array.from(Buffer.from('1\r\n')));
  assert.deepEqual(chunks, ['V=3.3', '1\r\n']);

  plugged = false;
  pairs[0]!.device.hangUp('device disconnected');
  await until('waiting announced', () => statuses.some((s) => s.type === 'port-waiting'));
  await new Promise((r) => setTimeout(r, 20)); // several failed reopens: announced once only
  plugged = true;
  await until('reopened', () => pairs.length === 2);
  pairs[1]!.device.write(Uint8Array.from(Buffer.from('V=3.30\r\n')));
  stop.abort();
  await running;

  assert.deepEqual(statuses, [
    { type: 'port-open', port: '/dev/ttyBMS', reconnect: false },
    { type: 'port-lost', port: '/dev/ttyBMS', reason: 'device disconnected' },
    { type: 'port-waiting', port: '/dev/ttyBMS', reason: 'No such file or directory', reconnect: true },
    { type: 'port-open', port: '/dev/ttyBMS', reconnect: true },
  ]);
  assert.equal(chunks.at(-1), 'V=3.30\r\n');
  assert.equal(ends, 2, 'a partial line is dropped at each end of the stream');
  await assert.rejects(pairs[1]!.host.write(Uint8Array.of(0)), /closed/, 'the stream is closed at the end');
});

test('by default an unplugged adapter ends the reader: the stream\'s end first, then a lost-port error naming it; never reopened', async () => {
  let opens = 0;
  let pair: PipePair | undefined;
  const statuses: PortStatus[] = [];
  const chunks: string[] = [];
  const order: string[] = [];
  const running = runPort({
    path: '/dev/ttyBMS',
    baudRate: 115200,
    signal: new AbortController().signal,
    reopenMs: 1,
    open: async (path) => {
      opens++;
      pair = createPipePair({ echo: false, name: path });
      return pair.host;
    },
    onData: (b) => chunks.push(Buffer.from(b).toString()),
    onEnd: () => order.push('end'),
    onStatus: (s) => statuses.push(s),
  });
  await until('opened', () => pair !== undefined);
  pair!.device.write(Uint8Array.from(Buffer.from('V=3.31\r\n')));
  pair!.device.hangUp('device disconnected');
  const err = await running.then(
    () => assert.fail('the reader ended without an error'),
    (e: unknown) => e,
  );
  order.push('error');
  assert.ok(isLostPort(err), String(err));
  assert.match((err as Error).message, /^\/dev\/ttyBMS went away \(device disconnected\)$/);
  assert.deepEqual(order, ['end', 'error'], 'a pending partial line is settled before the error');
  assert.deepEqual(chunks, ['V=3.31\r\n']);
  assert.deepEqual(statuses, [{ type: 'port-open', port: '/dev/ttyBMS', reconnect: false }]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(opens, 1, 'not reopened');
  await assert.rejects(pair!.host.write(Uint8Array.of(0)), /went away|closed/, 'no more writes');
});

test('no permission on the first open is the error itself, with the dialout fix', async () => {
  const denied = new SerialError('PORT', 'serial port /dev/ttyUSB0 cannot be opened (Permission denied, cannot open /dev/ttyUSB0)', {
    hint: 'no permission: add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again',
    details: { port: '/dev/ttyUSB0', reason: 'Permission denied' },
  });
  const statuses: PortStatus[] = [];
  await assert.rejects(
    runPort({
      path: '/dev/ttyUSB0',
      baudRate: 115200,
      signal: new AbortController().signal,
      open: () => Promise.reject(denied),
      onData: () => undefined,
      onEnd: () => undefined,
      onStatus: (s) => statuses.push(s),
    }),
    (e) => e === denied,
  );
  assert.deepEqual(statuses, []);
});

test('the real adapter: a port that does not exist is waited for, not an error', async () => {
  const statuses: PortStatus[] = [];
  const stop = new AbortController();
  const running = runPort({
    path: '/dev/ttyLTOBMS-NOT-THERE',
    baudRate: 115200,
    signal: stop.signal,
    reopenMs: 5,
    onData: () => undefined,
    onEnd: () => undefined,
    onStatus: (s) => statuses.push(s),
  });
  await until('waiting', () => statuses.length > 0);
  stop.abort();
  await running;
  assert.equal(statuses.length, 1);
  assert.equal(statuses[0]!.type, 'port-waiting');
  assert.match((statuses[0] as { reason: string }).reason, /No such file or directory/);
});
