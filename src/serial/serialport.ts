/**
 * The `serialport` adapter: a USB-serial adapter or a pseudo-terminal as a {@link ByteStream}.
 * This is the only module of ltobms that uses the serialport packages, and it loads them only when a
 * port is opened or listed (every command loads this module; few open a port).
 *
 * Two uses: UPDI programming (8E2, exact-count reads, BREAK) and the log tail (8N1, receive only,
 * bytes handed on as they come).
 */
import type { SerialPortStream as SerialPort } from '@serialport/stream';
import type { AutoDetectTypes, LinuxBindingInterface, LinuxPortBinding } from '@serialport/bindings-cpp';
import { readSync, writeSync } from 'node:fs';
import { systemClock, type Clock } from '../util/clock.js';
import { debug } from '../util/debug.js';
import { hexBytes } from '../util/hex.js';
import { closedError, lostError, portError, type SerialError } from './errors.js';
import { ReceivingStream } from './receiving-stream.js';
import { ptyDevice, readPtyTermios, restorePtyTermios } from './termios.js';

const log = debug('ltobms:serial:port');

export interface LineSettings {
  parity: 'none' | 'even';
  stopBits: 1 | 2;
  /** Drop DTR/RTS on close (the operating system's default); off for UPDI, where it may reset an adapter's target. */
  hupcl: boolean;
}

/** UPDI frames: 8 data bits, even parity, 2 stop bits. */
export const UPDI_LINE: LineSettings = { parity: 'even', stopBits: 2, hupcl: false };
/** The board's log UART: 8 data bits, no parity, 1 stop bit. */
export const UART_LINE: LineSettings = { parity: 'none', stopBits: 1, hupcl: true };

/** A BREAK is a 0x00 at this rate: start + 8 zero bits (+ even parity) ≈ 30–33 ms low, above the 24.6 ms UPDI asks for. */
const BREAK_BAUD = 300;
/** How long sendBreak waits for the line's echo of the BREAK byte. */
const BREAK_ECHO_MS = 150;

interface SerialLibrary {
  Port: typeof SerialPort;
  binding: AutoDetectTypes;
}
let library: Promise<SerialLibrary> | undefined;

/**
 * The stream and the native binding, without the `serialport` umbrella package, which would also
 * load ten protocol parsers and a mock binding that ltobms never uses (a third of its load time).
 */
export function loadSerialPort(): Promise<SerialLibrary> {
  library ??= Promise.all([
    import('@serialport/stream'),
    import('@serialport/bindings-cpp'),
    import('@serialport/bindings-cpp/dist/unix-read.js'),
    import('@serialport/bindings-cpp/dist/unix-write.js'),
  ]).then(([stream, bindings, { unixRead }, { unixWrite }]) => ({
    Port: stream.SerialPortStream,
    binding: process.platform === 'linux' ? hangupAware(bindings.autoDetect() as LinuxBindingInterface, unixRead, unixWrite) : bindings.autoDetect(),
  }));
  return library;
}

type UnixRead = typeof import('@serialport/bindings-cpp/dist/unix-read.js').unixRead;
type UnixWrite = typeof import('@serialport/bindings-cpp/dist/unix-write.js').unixWrite;
type FsReadAsync = NonNullable<Parameters<UnixRead>[0]['fsReadAsync']>;
type FsWriteAsync = NonNullable<Parameters<UnixWrite>[0]['fsWriteAsync']>;

/**
 * The port's reads and writes on the event loop's own thread. The binding opens the port
 * non-blocking and waits for it to become readable or writable with its poller; only the read() and
 * write() calls themselves went through libuv's thread pool, two thread hand-overs for every answer
 * (one read that finds the bytes, one that finds none) and one for every write. A UPDI flash session
 * waits for one answer per page, so those hand-overs add up to part of every page's turnaround. A
 * non-blocking call returns at once (EAGAIN when there is nothing to read or no room to write, which
 * sends the binding back to its poller), so nothing here can stall the loop.
 */
async function readOnLoop(fd: number, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  return { bytesRead: readSync(fd, buffer, offset, length, null), buffer };
}
async function writeOnLoop(fd: number, buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number; buffer: Buffer }> {
  return { bytesWritten: writeSync(fd, buffer, offset, length), buffer };
}

/**
 * On Linux a tty that has hung up (its adapter unplugged, a pty whose other end closed) reads 0
 * bytes, at once and forever. The binding's read takes 0 bytes as "nothing yet" and reads again
 * without waiting, so a read that lands after the hang-up spins (it filled the test runner's memory
 * with promises in ten minutes, and would pin a core of a log tail whose adapter was pulled). Here a
 * 0-byte read is what it is on Linux: the port is gone — a disconnect the stream reports as lost.
 * Reads and writes run on the loop's thread (see readOnLoop).
 */
function hangupAware(binding: LinuxBindingInterface, unixRead: UnixRead, unixWrite: UnixWrite): LinuxBindingInterface {
  const readOrHangup = async (fd: number, buffer: Buffer, offset: number, length: number) => {
    const done = await readOnLoop(fd, buffer, offset, length);
    if (done.bytesRead === 0) throw Object.assign(new Error('the port hung up (unplugged, or its other end closed)'), { code: 'ENXIO' });
    return done;
  };
  return {
    list: () => binding.list(),
    open: async (options) => {
      const port: LinuxPortBinding = await binding.open(options);
      const plainRead = port.read.bind(port);
      const plainWrite = port.write.bind(port);
      port.read = async (buffer, offset, length) => {
        // The binding's own argument and open checks, then the read with the hang-up rule.
        if (!port.isOpen || buffer.length < offset + length) return plainRead(buffer, offset, length);
        return unixRead({ binding: port, buffer, offset, length, fsReadAsync: readOrHangup as unknown as FsReadAsync });
      };
      port.write = async (buffer) => {
        if (!port.isOpen || !Buffer.isBuffer(buffer) || buffer.length === 0) return plainWrite(buffer);
        // As the binding's write: the operation is kept where drain() looks for it.
        const pending = port as unknown as { writeOperation: Promise<void> | null };
        pending.writeOperation = unixWrite({ binding: port, buffer, fsWriteAsync: writeOnLoop as unknown as FsWriteAsync }).then(() => {
          pending.writeOperation = null;
        });
        return pending.writeOperation;
      };
      return port;
    },
  };
}

export class SerialPortStream extends ReceivingStream {
  readonly realBreak: boolean;
  private closing = false;
  /** Terminal settings of a pseudo-terminal as found at open, restored at close. */
  private savedTermios: string | undefined;

  private constructor(
    name: string,
    private readonly port: SerialPort,
    private baud: number,
    clock: Clock,
  ) {
    super(name, clock);
    // A real port holds the line low for the BREAK byte; a pty carries the 0x00 as data only.
    this.realBreak = ptyDevice(name) === undefined;
    port.on('data', (d: Buffer) => {
      // Bytes for exact reads (UPDI) in hex; a listener's stream (the log tail) is text, shown elsewhere.
      if (log.enabled && !this.rx.listening) log(`${name} rx ${hexBytes(d)}`);
      this.rx.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    });
    port.on('error', (e: Error) => this.lose(e));
    port.on('close', (e?: Error) => (this.closing ? this.end(undefined, closedError(name)) : this.lose(e ?? new Error('closed'))));
  }

  /**
   * Opens `path` at `baud` with the given line settings. Fails with a PORT SerialError whose hint
   * names the usual fix (no such port, no permission, port busy). Read timeouts run on `clock`.
   */
  static async open(path: string, baud: number, line: LineSettings, clock: Clock = systemClock): Promise<SerialPortStream> {
    // A pty's settings are read (by stty, a child process) while the library loads.
    const [saved, { Port, binding }] = await Promise.all([readPtyTermios(path), loadSerialPort()]);
    const port = new Port({ binding, path, baudRate: baud, dataBits: 8, parity: line.parity, stopBits: line.stopBits, hupcl: line.hupcl, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(portError(path, 'cannot be opened', e)) : resolve())));
    const stream = new SerialPortStream(path, port, baud, clock);
    stream.savedTermios = saved;
    log(`${path} open at ${baud} baud, ${line.parity === 'even' ? '8E' : '8N'}${line.stopBits}`);
    return stream;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfEnded();
    if (log.enabled) log(`${this.name} tx ${hexBytes(bytes)}`);
    // A write to a port that went away (EIO, EBADF) means it is gone for good.
    await this.untilEnded(new Promise<void>((resolve, reject) => this.port.write(Buffer.from(bytes), (e) => (e ? reject(this.lose(e)) : resolve()))));
  }

  async flushInput(): Promise<void> {
    this.throwIfEnded();
    await this.untilEnded(new Promise<void>((resolve) => this.port.flush(() => resolve())));
    this.rx.clear();
  }

  async setBaud(baud: number): Promise<void> {
    this.throwIfEnded();
    if (baud === this.baud) return;
    await this.drain();
    await this.untilEnded(
      new Promise<void>((resolve, reject) => this.port.update({ baudRate: baud }, (e) => (e ? reject(portError(this.name, `refused ${baud} baud`, e)) : resolve()))),
    );
    this.baud = baud;
  }

  async sendBreak(): Promise<void> {
    this.throwIfEnded();
    const working = this.baud;
    await this.setBaud(BREAK_BAUD);
    await this.write(Uint8Array.of(0x00));
    await this.drain();
    // The echo of the BREAK byte (a real line returns it; a target may also answer nothing).
    await this.rx.take(1, BREAK_ECHO_MS).catch(() => undefined);
    await this.setBaud(working);
    await this.flushInput();
  }

  async close(): Promise<void> {
    if (this.port.isOpen) {
      this.closing = true;
      // A lost port cannot drain; an open one sends what is queued first.
      if (!this.ended) await this.drain().catch(() => undefined);
      await new Promise<void>((resolve) => this.port.close(() => resolve()));
    }
    this.end(undefined, closedError(this.name));
    if (this.savedTermios) {
      restorePtyTermios(this.name, this.savedTermios);
      this.savedTermios = undefined;
    }
  }

  private end(reason: string | undefined, readError: SerialError): void {
    if (reason !== undefined && !this.ended) log(`${this.name} lost: ${reason}`);
    this.finish(reason, readError);
  }

  /** Like the base class, and a port serialport has already shut (its close event still to come) is gone too. */
  protected override throwIfEnded(): void {
    if (!this.ended && !this.port.isOpen && !this.closing) this.lose(new Error('closed'));
    super.throwIfEnded();
  }

  /** The port went away (I/O error, unplugged): ends the stream; returns the error every operation now fails with. */
  private lose(cause: Error): SerialError {
    const reason = cause.message.replace(/^Error:\s*/, '');
    this.end(reason, lostError(this.name, reason));
    return this.endError!;
  }

  private drain(): Promise<void> {
    this.throwIfEnded();
    return this.untilEnded(new Promise((resolve, reject) => this.port.drain((e) => (e ? reject(this.lose(e)) : resolve()))));
  }
}

/** A port for UPDI: 8E2 at `baud`, input flushed. */
export async function openUpdiPort(path: string, baud: number, clock: Clock = systemClock): Promise<SerialPortStream> {
  const stream = await SerialPortStream.open(path, baud, UPDI_LINE, clock);
  await stream.flushInput();
  return stream;
}

/** A port for the board's log: 8N1 at `baud`, for reading as bytes come (`onData`). */
export function openUartPort(path: string, baud: number): Promise<SerialPortStream> {
  return SerialPortStream.open(path, baud, UART_LINE);
}

/** What serialport's binding (udev) knows about the system's ports. */
export interface SystemPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** The ports udev knows, through the serialport binding's listing. */
export async function listSystemPorts(): Promise<SystemPortInfo[]> {
  const { binding } = await loadSerialPort();
  return (await binding.list()).map((p) => ({ path: p.path, vendorId: p.vendorId, productId: p.productId, manufacturer: p.manufacturer, serialNumber: p.serialNumber }));
}
