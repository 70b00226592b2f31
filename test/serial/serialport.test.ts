/**
 * The serialport adapter on a real pseudo-terminal made by socat (the kernel's tty layer, not a
 * mock): exact-count reads, typed errors for a missing port and a read that times out, the
 * capability flag, losing the port, and a pty's terminal settings put back at close.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { loadSerialPort, openUartPort, openUpdiPort, SerialPortStream, UART_LINE } from '../../src/serial/serialport.js';
import { SerialError } from '../../src/serial/errors.js';

const skip = socatAvailable() ? false : 'needs socat';

function stty(path: string): string {
  return spawnSync('stty', ['-g', '-F', realpathSync(path)], { encoding: 'utf8' }).stdout.trim();
}

describe('serialport adapter on a pty', { skip }, () => {
  test('bytes both ways; read(n) waits for exactly n bytes across chunks', async (t) => {
    const pty = await SocatPty.open();
    t.after(() => pty.close());
    const heard: number[] = [];
    pty.onData((b) => heard.push(...b));
    const stream = await openUpdiPort(pty.portPath, 115200);
    t.after(() => stream.close());
    assert.equal(stream.name, pty.portPath);
    await stream.write(Uint8Array.of(0x55, 0x80));
    const reading = stream.read(6, 5000);
    await pty.send(Uint8Array.of(1, 2, 3));
    await new Promise((r) => setTimeout(r, 20));
    await pty.send(Uint8Array.of(4, 5, 6, 7));
    assert.deepEqual([...(await reading)], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...(await stream.read(1, 5000))], [7]);
    assert.deepEqual(heard, [0x55, 0x80]);
  });

  test('a pty cannot carry a BREAK condition: realBreak is false', async (t) => {
    const pty = await SocatPty.open();
    t.after(() => pty.close());
    const stream = await openUpdiPort(pty.portPath, 115200);
    t.after(() => stream.close());
    assert.equal(stream.realBreak, false);
  });

  test('a silent far end is a TIMEOUT SerialError that names the port and the counts', async (t) => {
    const pty = await SocatPty.open();
    t.after(() => pty.close());
    const stream = await openUpdiPort(pty.portPath, 115200);
    t.after(() => stream.close());
    await pty.send(Uint8Array.of(0xaa));
    await assert.rejects(stream.read(3, 300), (e: unknown) => {
      assert.ok(e instanceof SerialError);
      assert.equal(e.serialCode, 'TIMEOUT');
      assert.match(e.message, new RegExp(`on ${pty.portPath}: expected 3 bytes within 300 ms, received 1`));
      return true;
    });
  });

  test('a missing port is a PORT SerialError with the system reason and a hint', async () => {
    await assert.rejects(openUpdiPort('/dev/ttyLTOBMS-NOPE', 115200), (e: unknown) => {
      assert.ok(e instanceof SerialError);
      assert.equal(e.code, 'SERIAL_PORT');
      assert.match(e.message, /^serial port \/dev\/ttyLTOBMS-NOPE cannot be opened \(/);
      assert.match(String(e.details.reason), /No such file or directory/);
      assert.match(e.hint ?? '', /ltobms ports/);
      return true;
    });
  });

  test('the receive-only log use: chunks through onData, then onEnd with a reason when the pty goes away', async (t) => {
    const pty = await SocatPty.open();
    t.after(() => pty.close());
    const stream = await openUartPort(pty.portPath, 9600);
    t.after(() => stream.close());
    let text = '';
    stream.onData((b) => (text += Buffer.from(b).toString('latin1')));
    const ended = new Promise<string | undefined>((resolve) => stream.onEnd(resolve));
    await pty.send('V=3.31\r\n');
    for (let i = 0; i < 500 && !text.includes('\n'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(text, 'V=3.31\r\n');
    await pty.close(); // the adapter is unplugged
    const reason = await ended;
    assert.equal(typeof reason, 'string', 'lost, not closed by us');
  });

  // On Linux a hung-up tty reads 0 bytes at once, forever; the serial binding used to read again at
  // once, so a read after the hang-up never ended (a test hung for ten minutes, a pulled adapter would
  // pin a core). The read now fails as a disconnect. (The timeout only turns a regression's endless
  // spin into a failure; it does not measure speed.)
  test('a read after the port hung up fails as a disconnect instead of reading 0 bytes forever', { timeout: 120_000 }, async () => {
    const pty = await SocatPty.open();
    const { binding } = await loadSerialPort();
    const port = await binding.open({ path: pty.portPath, baudRate: 9600 });
    try {
      await pty.close(); // socat is gone: the far end of the pty is closed, the tty hung up
      await assert.rejects(port.read(Buffer.alloc(16), 0, 16), (e: NodeJS.ErrnoException & { disconnect?: boolean }) => {
        assert.equal(e.disconnect, true);
        assert.match(e.message, /hung up/);
        return true;
      });
    } finally {
      await port.close().catch(() => undefined);
    }
  });

  test('a stream whose pty hangs up while bytes arrive ends with a reason, every time', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 20; i++) {
      const pty = await SocatPty.open();
      const stream = await openUartPort(pty.portPath, 9600);
      const ended = new Promise<string | undefined>((resolve) => stream.onEnd(resolve));
      stream.onData(() => undefined);
      for (let j = 0; j < 20; j++) void pty.send('V=3.31\r\n');
      await pty.close();
      assert.equal(typeof (await ended), 'string', `round ${i}: lost, with a reason`);
      await stream.close();
    }
  });

  test('closing puts a pty\'s terminal settings back as they were found', async (t) => {
    const pty = await SocatPty.open();
    t.after(() => pty.close());
    const before = stty(pty.path);
    const stream = await SerialPortStream.open(pty.portPath, 57600, { ...UART_LINE, parity: 'even', stopBits: 2 });
    assert.notEqual(stty(pty.path), before, 'open changed the settings');
    await stream.close();
    assert.equal(stty(pty.path), before);
    await assert.rejects(stream.write(Uint8Array.of(1)), /is closed/);
  });
});
