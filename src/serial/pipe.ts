/**
 * An in-process pipe pair: two connected ends, no port and no process in between. The host end
 * is a {@link ByteStream} for the programmer or the log tail; the device end is where a target
 * model (the virtual board, a scripted test target) listens and answers.
 *
 * Like node-serialport's mock binding it behaves like hardware where that matters: the device sees
 * the host's bytes and BREAKs asynchronously and in order; bytes for the host arrive in whatever
 * chunks the device writes them.
 *
 *   const { host, device } = createPipePair({ echo: false, name: 'virtual ATtiny824' });
 *   device.onData((bytes) => model.receive(bytes));   // host → device
 *   device.onBreak(() => model.lineBreak());          // a real BREAK (breakAs: 'signal')
 *   device.write(reply);                              // device → host
 */
import { closedError, lostError } from './errors.js';
import { ReceivingStream } from './receiving-stream.js';
import type { Clock } from '../util/clock.js';
import type { DataListener, DeviceEnd } from './stream.js';

export interface PipePairOptions {
  /** The host end's name, for messages (default "pipe"). */
  name?: string;
  /**
   * The pipe itself returns everything the host writes, as the single UPDI wire does through the
   * adapter's resistor. Off when the device produces the echo itself (the virtual target's wire
   * model does) or when there is none (a UART).
   */
  echo: boolean;
  /**
   * How a BREAK reaches the device: `signal` (default) calls the device's onBreak listener — a real
   * BREAK, so `host.realBreak` is true; `zero-byte` delivers a 0x00 data byte, as over a pty.
   */
  breakAs?: 'signal' | 'zero-byte';
  /** The clock read timeouts run on (default: the system clock; tests pass a manual one). */
  clock?: Clock;
}

export interface PipePair {
  host: PipeHostEnd;
  device: PipeDeviceEnd;
}

export function createPipePair(options: PipePairOptions): PipePair {
  const host = new PipeHostEnd(options);
  return { host, device: host.device };
}

type ToDevice = { kind: 'data'; bytes: Uint8Array } | { kind: 'break' };

/** How long the host waits for the device's echo of a BREAK sent as a 0x00 byte. */
const BREAK_ECHO_MS = 150;

export class PipeHostEnd extends ReceivingStream {
  readonly realBreak: boolean;
  readonly device: PipeDeviceEnd;
  /** The last baud rate the host set (0 until then); a device model may pace by it. */
  baud = 0;
  private readonly toDevice: ToDevice[] = [];
  private deliveryScheduled = false;

  constructor(private readonly options: PipePairOptions) {
    super(options.name ?? 'pipe', options.clock);
    this.realBreak = (options.breakAs ?? 'signal') === 'signal';
    this.device = new PipeDeviceEnd(this.name, this);
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfEnded();
    const copy = Uint8Array.from(bytes);
    if (this.options.echo) this.rx.push(copy);
    this.enqueue({ kind: 'data', bytes: copy });
  }

  async flushInput(): Promise<void> {
    // Let bytes already on their way arrive first, as a port's flush drops what the OS holds.
    await new Promise((r) => setImmediate(r));
    this.rx.clear();
  }

  async setBaud(baud: number): Promise<void> {
    this.baud = baud;
  }

  async sendBreak(): Promise<void> {
    this.throwIfEnded();
    if (this.realBreak) this.enqueue({ kind: 'break' });
    else {
      this.enqueue({ kind: 'data', bytes: Uint8Array.of(0) });
      // A device that echoes by itself returns the 0x00; wait for it so it cannot pass for an answer.
      if (!this.options.echo) await this.rx.take(1, BREAK_ECHO_MS).catch(() => undefined);
    }
    await this.flushInput();
  }

  async close(): Promise<void> {
    this.end(undefined);
  }

  /** Device → host. */
  receive(bytes: Uint8Array): void {
    if (!this.ended) this.rx.push(Uint8Array.from(bytes));
  }

  /** Ends the stream: closed by the host (`reason` undefined) or hung up by the device. */
  end(reason: string | undefined): void {
    // Bytes already written still reach the device, as a port drains before it closes.
    this.finish(reason, reason === undefined ? closedError(this.name) : lostError(this.name, reason));
  }

  private enqueue(item: ToDevice): void {
    this.toDevice.push(item);
    if (this.deliveryScheduled) return;
    this.deliveryScheduled = true;
    setImmediate(() => {
      this.deliveryScheduled = false;
      for (const next of this.toDevice.splice(0)) {
        if (next.kind === 'data') this.device.deliver(next.bytes);
        else this.device.deliverBreak();
      }
    });
  }
}

export class PipeDeviceEnd implements DeviceEnd {
  private dataListener: DataListener | undefined;
  private breakListener: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly host: PipeHostEnd,
  ) {}

  /** Without a listener the bytes are lost, as on a wire with nothing at the far end. */
  onData(listener: DataListener): void {
    this.dataListener = listener;
  }

  onBreak(listener: () => void): void {
    this.breakListener = listener;
  }

  write(bytes: Uint8Array): void {
    this.host.receive(bytes);
  }

  /** The device goes away (its process ended, the board was unplugged): the host end is lost. */
  hangUp(reason = 'the device end went away'): void {
    this.host.end(reason);
  }

  /** @internal Host → device. */
  deliver(bytes: Uint8Array): void {
    this.dataListener?.(bytes);
  }

  /** @internal */
  deliverBreak(): void {
    this.breakListener?.();
  }
}
