/**
 * The byte-stream seam under the UPDI stack: a real serial port, a pseudo-terminal, or an
 * in-process pipe to a target model all look like this, so everything above is testable
 * without hardware.
 *
 * Contract: `read(n)` resolves with exactly n bytes or rejects with a TIMEOUT UpdiError that
 * says how many arrived (those are consumed); there are no short reads.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { UpdiError } from '../updi/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { debug } from '../util/debug.js';
import { hexBytes } from '../util/hex.js';

const log = debug('ltobms:updi:port');

export interface UpdiTransport {
  /** What this is connected to, for messages ("/dev/ttyUSB0"). */
  readonly name: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Exactly `n` bytes, or a TIMEOUT UpdiError after `timeoutMs`. */
  read(n: number, timeoutMs: number): Promise<Uint8Array>;
  /** Discards everything received so far. */
  flushInput(): Promise<void>;
  setBaud(baud: number): Promise<void>;
  /**
   * One BREAK: the line held low for longer than a frame. On a serial port this is a 0x00 sent
   * at 300 baud (start + 8 zero bits + even parity = 10 low bits ≈ 33 ms, above the 24.6 ms the
   * data sheet asks for at the default UPDI clock); a target behind a pseudo-terminal sees the
   * 0x00 byte and treats it as a BREAK when it is waiting for SYNCH.
   */
  sendBreak(): Promise<void>;
  close(): Promise<void>;
}

/** Receive buffer with exact-count reads and timeouts (on the injected clock), shared by the adapters. */
export class RxBuffer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private waiter: { n: number; resolve: (b: Uint8Array) => void; reject: (e: unknown) => void; timer: AbortController } | undefined;
  private failure: unknown;

  constructor(private readonly clock: Clock = systemClock) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
    this.settle();
  }

  /** Fails the pending and every later read (port closed or broken). */
  fail(err: unknown): void {
    this.failure = err;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.timer.abort();
      w.reject(err);
    }
  }

  clear(): number {
    const dropped = this.length;
    this.chunks = [];
    this.length = 0;
    return dropped;
  }

  get available(): number {
    return this.length;
  }

  take(n: number, timeoutMs: number, name: string): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('RxBuffer: concurrent reads'));
    if (this.failure) return Promise.reject(this.failure);
    if (this.length >= n) return Promise.resolve(this.shift(n));
    return new Promise((resolve, reject) => {
      const timer = new AbortController();
      const timedOut = () => {
        if (this.waiter?.timer !== timer) return; // answered (or failed) meanwhile
        this.waiter = undefined;
        const got = this.shift(this.length);
        reject(
          new UpdiError('TIMEOUT', `no answer from the target on ${name}: expected ${n} bytes within ${timeoutMs} ms, received ${got.length}`, {
            details: { expected: n, received: got.length, bytes: hexBytes(got), timeoutMs, receivedBytes: Array.from(got) },
          }),
        );
      };
      // Aborted when the bytes arrive first.
      void this.clock.sleep(timeoutMs, timer.signal).then(timedOut, () => undefined);
      this.waiter = { n, resolve, reject, timer };
    });
  }

  private settle(): void {
    const w = this.waiter;
    if (w && this.length >= w.n) {
      this.waiter = undefined;
      w.timer.abort();
      w.resolve(this.shift(w.n));
    }
  }

  private shift(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.length -= n;
    return out;
  }
}

const BREAK_BAUD = 300;

/** A serial port (or pseudo-terminal) opened 8E2, as UPDI needs. */
export class SerialTransport implements UpdiTransport {
  private readonly rx: RxBuffer;
  private baud: number;

  private constructor(
    readonly name: string,
    private readonly port: SerialPort,
    baud: number,
    clock: Clock,
  ) {
    this.baud = baud;
    this.rx = new RxBuffer(clock);
    port.on('data', (d: Buffer) => {
      if (log.enabled) log(`rx ${hexBytes(d)}`);
      this.rx.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    });
    port.on('error', (e: Error) => this.rx.fail(portError(name, 'failed', e)));
    port.on('close', () => this.rx.fail(new UpdiError('PORT', `serial port ${name} was closed`)));
  }

  /** Terminal settings of a pseudo-terminal as found at open, restored at close. */
  private savedTermios: string | undefined;

  /** Opens `path` at `baud`; read timeouts run on `clock`. */
  static async open(path: string, baud: number, clock: Clock = systemClock): Promise<SerialTransport> {
    const saved = savePtyTermios(path);
    // Loaded on first use: every ltobms command loads this module, few open a port.
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path, baudRate: baud, dataBits: 8, parity: 'even', stopBits: 2, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(portError(path, 'cannot be opened', e)) : resolve())));
    const t = new SerialTransport(path, port, baud, clock);
    t.savedTermios = saved;
    await t.flushInput();
    return t;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (log.enabled) log(`tx ${hexBytes(bytes)}`);
    await new Promise<void>((resolve, reject) =>
      this.port.write(Buffer.from(bytes), (e) => (e ? reject(portError(this.name, 'write failed', e)) : resolve())),
    );
  }

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.rx.take(n, timeoutMs, this.name);
  }

  async flushInput(): Promise<void> {
    await new Promise<void>((resolve) => this.port.flush(() => resolve()));
    this.rx.clear();
  }

  async setBaud(baud: number): Promise<void> {
    if (baud === this.baud) return;
    await this.drain();
    await new Promise<void>((resolve, reject) =>
      this.port.update({ baudRate: baud }, (e) => (e ? reject(portError(this.name, `refused ${baud} baud`, e)) : resolve())),
    );
    this.baud = baud;
  }

  async sendBreak(): Promise<void> {
    const working = this.baud;
    await this.setBaud(BREAK_BAUD);
    await this.write(Uint8Array.of(0x00));
    await this.drain();
    // The echo of the BREAK byte (a real line returns it; a target may also answer nothing).
    await this.rx.take(1, 150, this.name).catch(() => undefined);
    await this.setBaud(working);
    await this.flushInput();
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await this.drain().catch(() => undefined);
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
    if (this.savedTermios) restorePtyTermios(this.name, this.savedTermios);
  }

  private drain(): Promise<void> {
    return new Promise((resolve, reject) => this.port.drain((e) => (e ? reject(portError(this.name, 'drain failed', e)) : resolve())));
  }
}

/**
 * A pseudo-terminal keeps its terminal settings after we close it, and the next program may trip
 * over them: glibc's tcsetattr reports EINVAL to avrdude when a pty is left at exactly 8-N-2 with
 * CLOCAL (the kernel drops PARENB on ptys). Like avrdude, put back what we found. Real serial
 * ports are left alone.
 */
function savePtyTermios(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  if (!real.startsWith('/dev/pts/')) return undefined;
  const r = spawnSync('stty', ['-g', '-F', real], { encoding: 'utf8', timeout: 2000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function restorePtyTermios(path: string, saved: string): void {
  spawnSync('stty', ['-F', path, saved], { stdio: 'ignore', timeout: 2000 });
}

function portError(name: string, what: string, cause: Error): UpdiError {
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  const text = cause.message.replace(/^Error:\s*/, '');
  let hint = 'check --port; `ltobms ports` lists the USB-serial adapters';
  if (/EACCES|Permission denied/i.test(code + text)) hint = 'no permission: add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again';
  else if (/EBUSY|Resource busy|lock/i.test(code + text)) hint = 'another program holds the port; close it (serial monitor, ltobms log, avrdude) and retry';
  return new UpdiError('PORT', `serial port ${name} ${what} (${text})`, { hint, cause, details: { port: name } });
}

/** The device end of an in-process wire: what a target model implements. */
export interface WireTarget {
  /** Bytes the host put on the wire, in order. */
  receive(bytes: Uint8Array): void;
  /** A BREAK on the wire; without this method the pipe delivers a 0x00 byte instead (as over a pty). */
  lineBreak?(): void;
}

/**
 * An in-process wire to a target model. Like the single UPDI wire, everything the host writes
 * comes back as an echo (unless `echo: false`), and the target sees the bytes asynchronously.
 */
export class PipeTransport implements UpdiTransport {
  readonly name: string;
  baud = 0;
  /** Everything the host wrote, for tests. */
  readonly written: number[] = [];
  breaks = 0;
  private readonly rx: RxBuffer;
  private target: WireTarget | undefined;
  private closed = false;

  constructor(private readonly options: { echo?: boolean; name?: string; clock?: Clock } = {}) {
    this.name = options.name ?? 'pipe';
    this.rx = new RxBuffer(options.clock);
  }

  connect(target: WireTarget): this {
    this.target = target;
    return this;
  }

  /** Target → host. */
  toHost(bytes: Uint8Array | readonly number[]): void {
    if (!this.closed) this.rx.push(Uint8Array.from(bytes));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new UpdiError('PORT', `${this.name} is closed`);
    const copy = Uint8Array.from(bytes);
    this.written.push(...copy);
    if (this.options.echo !== false) this.rx.push(copy);
    const target = this.target;
    if (target) setImmediate(() => target.receive(copy));
  }

  read(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.rx.take(n, timeoutMs, this.name);
  }

  async flushInput(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.rx.clear();
  }

  async setBaud(baud: number): Promise<void> {
    this.baud = baud;
  }

  async sendBreak(): Promise<void> {
    this.breaks++;
    const target = this.target;
    if (target?.lineBreak) target.lineBreak();
    else if (target) {
      // As over a pty: a 0x00 byte. A far end that echoes by itself returns it; wait for that.
      target.receive(Uint8Array.of(0));
      if (this.options.echo === false) await this.rx.take(1, 150, this.name).catch(() => undefined);
    }
    await this.flushInput();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rx.fail(new UpdiError('PORT', `${this.name} is closed`));
  }
}
