// The floor no change to ltobms's host code can go below: its own flash session (every write, and
// how many bytes it waited for before the next one) recorded once through the library in this
// process, then replayed on the same port with nothing between an answer's last byte and the next
// write — no decoding, no checks, no promises through the UPDI layers. What the replay takes is the
// wire, the adapter model, the virtual board and the pty for ltobms's bytes and turnarounds; what
// ltobms takes on top of it is its host code (bench:updi prints both).
import { savePtyTermios, restorePtyTermios } from '../src/serial/termios.js';
import { loadSerialPort, openUpdiPort } from '../src/serial/serialport.js';
import type { ByteStream } from '../src/serial/stream.js';
import { withProgrammer } from '../src/updi/connect.js';
import { planProgram } from '../src/updi/plan.js';

/** What crossed the port, in order: bytes written, and answers waited for (their length). */
export type Recording = ({ write: Uint8Array } | { wait: number })[];

/** `flash --erase` of `image` at flash offset 0 through the library, recording the port's traffic. */
export async function recordFlash(port: string, baud: number, image: Uint8Array): Promise<Recording> {
  const steps: Recording = [];
  const stream = await openUpdiPort(port, baud);
  const recording: ByteStream = {
    name: stream.name,
    realBreak: stream.realBreak,
    write: (bytes) => {
      steps.push({ write: Uint8Array.from(bytes) });
      return stream.write(bytes);
    },
    read: (n, timeoutMs) => {
      steps.push({ wait: n });
      return stream.read(n, timeoutMs);
    },
    onData: (listener) => stream.onData(listener),
    onEnd: (listener) => stream.onEnd(listener),
    flushInput: () => stream.flushInput(),
    setBaud: (b) => stream.setBaud(b),
    sendBreak: () => stream.sendBreak(),
    close: () => stream.close(),
  };
  await withProgrammer({ port, baud, transport: recording }, async (p) => {
    await p.session.enterProgMode();
    await p.program(planProgram({ flash: [{ address: 0, data: image }] }, await p.identify(), { chipErase: true }));
  });
  return steps;
}

/** Replays `steps` on `port` (8E2 at `baud`); returns the seconds from the first write to the last byte. */
export async function replay(port: string, baud: number, steps: Recording): Promise<number> {
  const saved = savePtyTermios(port);
  const { binding } = await loadSerialPort();
  const link = await binding.open({ path: port, baudRate: baud, dataBits: 8, parity: 'even', stopBits: 2, hupcl: false });
  try {
    await link.flush();
    let received = 0;
    let wake: (() => void) | undefined;
    const buffer = Buffer.alloc(65536);
    const reading = (async () => {
      while (link.isOpen) {
        const { bytesRead } = await link.read(buffer, 0, buffer.length);
        received += bytesRead;
        wake?.();
      }
    })().catch(() => undefined);
    let expected = 0;
    let first: number | undefined;
    for (const step of steps) {
      if ('write' in step) {
        first ??= performance.now();
        await link.write(Buffer.from(step.write));
        continue;
      }
      expected += step.wait;
      if (received < expected) await new Promise<void>((resolve) => (wake = () => received >= expected && resolve()));
    }
    const seconds = (performance.now() - first!) / 1000;
    await link.close();
    await reading;
    return seconds;
  } finally {
    if (link.isOpen) await link.close();
    if (saved) restorePtyTermios(port, saved);
  }
}
