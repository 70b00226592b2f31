/**
 * UPDI physical layer: bytes on the single half-duplex wire.
 *
 * Everything sent comes back as an echo, which is checked byte for byte. `send` does not wait for
 * its echo: the echo is collected and compared with the next `exchange` (the next time we must wait
 * for the target anyway), so a write-only instruction costs no bus turnaround.
 *
 * This is where the byte stream's failures enter the UPDI domain: a read TIMEOUT becomes an ECHO
 * or TIMEOUT UpdiError naming the instruction, a lost or failing port a PORT UpdiError (the
 * SerialError kept as its cause), so the layers above add their context to one error type.
 */
import { SerialError } from '../serial/errors.js';
import type { ByteStream } from '../serial/stream.js';
import { UpdiError } from './errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { debug } from '../util/debug.js';
import { hex2, hexBytes } from '../util/hex.js';

const log = debug('ltobms:updi:phy');

/** A UPDI frame is 12 bits: start, 8 data, even parity, 2 stop. */
export const BITS_PER_FRAME = 12;
/**
 * Idle time before a double BREAK where the transport cannot send a real one (a pty): the target
 * model behind it tells a BREAK sent as 0x00 from data by the gap before it (ltobms sim: 100 ms).
 */
const BREAK_IDLE_MS = 120;
/**
 * After a double BREAK, received bytes are discarded until the line has been quiet this long: the
 * tail of an answer the host stopped reading (an answer one byte longer than expected, after a
 * lost byte turned an instruction into another) may still be on its way, and a byte of it left in
 * the buffer would shift every later exchange by one. Longer than an FTDI chip's default 16 ms
 * latency timer.
 */
const QUIET_MS = 20;
/** Bytes the drain after a BREAK discards at most before it gives up waiting for quiet. */
const DRAIN_LIMIT = 4096;

export interface PhysicalOptions {
  baud: number;
  /** Fixed part of every receive timeout, on top of the wire time (default 250 ms: USB latency timers, guard time). */
  timeoutMs?: number;
  /** Where waits come from (default: the system clock); read timeouts run on the transport's clock. */
  clock?: Clock;
}

export class UpdiPhysical {
  private baudRate: number;
  private readonly baseTimeoutMs: number;
  private readonly clock: Clock;
  private pending: Uint8Array[] = [];
  private pendingLength = 0;

  constructor(
    readonly transport: ByteStream,
    options: PhysicalOptions,
  ) {
    this.baudRate = options.baud;
    this.baseTimeoutMs = options.timeoutMs ?? 250;
    this.clock = options.clock ?? systemClock;
  }

  get baud(): number {
    return this.baudRate;
  }

  /** Puts bytes on the wire; their echo is checked by the next exchange or settle. */
  async send(bytes: Uint8Array, what: string): Promise<void> {
    if (log.enabled) log(`${what}: tx ${hexBytes(bytes)}`);
    await this.transport.write(bytes).catch(inUpdiDomain);
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
  }

  /**
   * Sends `bytes` (may be empty), then receives exactly `n` answer bytes. Checks the echo of all
   * bytes sent since the previous exchange first.
   */
  async exchange(bytes: Uint8Array, n: number, what: string): Promise<Uint8Array> {
    if (bytes.length) {
      if (log.enabled) log(`${what}: tx ${hexBytes(bytes)}`);
      await this.transport.write(bytes).catch(inUpdiDomain);
      this.pending.push(bytes);
      this.pendingLength += bytes.length;
    }
    const echo = this.takePending();
    const total = echo.length + n;
    let got: Uint8Array;
    try {
      got = await this.transport.read(total, this.timeoutFor(total));
    } catch (err) {
      throw this.explainTimeout(err, echo, n, what);
    }
    this.checkEcho(echo, got, what);
    const answer = got.subarray(echo.length);
    if (log.enabled && n) log(`${what}: rx ${hexBytes(answer)}`);
    return answer;
  }

  /** Waits for the echoes of everything sent so far. */
  async settle(what = 'echo'): Promise<void> {
    if (this.pendingLength) await this.exchange(new Uint8Array(0), 0, what);
  }

  /**
   * Sends `bytes` whose echo is taken by count and not checked (the wake-up 0x00, which a target
   * may see as a BREAK): waits for that many bytes, however late the adapter delivers them, so
   * no late echo can shift the bytes of the next exchange. Fewer arriving is not an error here
   * (the next exchange reports a line without echo).
   */
  async sendUnchecked(bytes: Uint8Array, what: string): Promise<void> {
    if (log.enabled) log(`${what}: tx ${hexBytes(bytes)} (echo not checked)`);
    await this.settle(`echo before ${what}`);
    await this.transport.write(bytes).catch(inUpdiDomain);
    await this.transport.read(bytes.length, this.timeoutFor(bytes.length)).catch((err: unknown) => {
      if (!(err instanceof SerialError) || err.serialCode !== 'TIMEOUT') inUpdiDomain(err);
    });
  }

  /** Forgets unchecked echoes and discards received bytes (before a resynchronisation). */
  async discard(): Promise<void> {
    this.takePending();
    await this.transport.flushInput().catch(inUpdiDomain);
  }

  /**
   * Double BREAK: resets the UPDI from any state (also from the middle of an instruction) and
   * sets its clock back to the default 4 MHz.
   */
  async doubleBreak(): Promise<void> {
    log('double BREAK');
    this.takePending();
    // Without a real BREAK, let the line go idle first, so a BREAK sent as a 0x00 byte cannot pass for data.
    if (!this.transport.realBreak) await this.clock.sleep(BREAK_IDLE_MS);
    await this.transport.sendBreak().catch(inUpdiDomain);
    await this.transport.sendBreak().catch(inUpdiDomain);
    await this.drainUntilQuiet();
  }

  /** Discards input until nothing has arrived for QUIET_MS. */
  private async drainUntilQuiet(): Promise<void> {
    await this.transport.flushInput().catch(inUpdiDomain);
    for (let discarded = 0; discarded < DRAIN_LIMIT; discarded++) {
      try {
        await this.transport.read(1, QUIET_MS);
      } catch (err) {
        if (err instanceof SerialError && err.serialCode === 'TIMEOUT') return;
        inUpdiDomain(err);
      }
    }
  }

  async setBaud(baud: number): Promise<void> {
    await this.settle('echo before baud change');
    await this.transport.setBaud(baud).catch(inUpdiDomain);
    this.baudRate = baud;
  }

  /** Wire time of `bytes` frames at the current baud, in ms. */
  wireMs(bytes: number): number {
    return (bytes * BITS_PER_FRAME * 1000) / this.baudRate;
  }

  private timeoutFor(bytes: number): number {
    return Math.ceil(this.baseTimeoutMs + 2 * this.wireMs(bytes));
  }

  private takePending(): Uint8Array {
    const out = new Uint8Array(this.pendingLength);
    let at = 0;
    for (const p of this.pending) {
      out.set(p, at);
      at += p.length;
    }
    this.pending = [];
    this.pendingLength = 0;
    return out;
  }

  private checkEcho(sent: Uint8Array, got: Uint8Array, what: string): void {
    for (let i = 0; i < sent.length; i++) {
      if (got[i] !== sent[i]) {
        throw new UpdiError('ECHO', `${what}: echo mismatch at byte ${i} of ${sent.length} (sent 0x${hex2(sent[i]!)}, read back 0x${hex2(got[i]!)})`, {
          details: { sent: hexBytes(sent), received: hexBytes(got.subarray(0, sent.length)), index: i },
        });
      }
    }
  }

  private explainTimeout(err: unknown, echo: Uint8Array, n: number, what: string): unknown {
    if (!(err instanceof SerialError) || err.serialCode !== 'TIMEOUT') return err instanceof SerialError ? toUpdiError(err) : err;
    const received = Number(err.details.received ?? 0);
    // What did arrive may already show a wrong echo: that is the better diagnosis.
    const partial = Uint8Array.from((err.details.receivedBytes as number[] | undefined) ?? []);
    try {
      this.checkEcho(echo.subarray(0, Math.min(echo.length, partial.length)), partial, what);
    } catch (echoErr) {
      return echoErr;
    }
    if (received < echo.length) {
      const none = received === 0;
      return new UpdiError(
        'ECHO',
        none
          ? `${what}: no echo of the ${echo.length} bytes sent on ${this.transport.name}`
          : `${what}: only ${received} of ${echo.length} sent bytes came back as echo on ${this.transport.name}`,
        { details: { ...err.details, echoExpected: echo.length }, cause: err },
      );
    }
    return new UpdiError('TIMEOUT', `${what}: the target sent ${received - echo.length} of ${n} answer bytes`, {
      details: { ...err.details, answerExpected: n },
      cause: err,
    });
  }
}

/** A stream failure as a UpdiError (same message and hint, the SerialError as cause). */
function toUpdiError(err: SerialError): UpdiError {
  return new UpdiError(err.serialCode, err.message, { hint: err.hint, details: err.details, cause: err });
}

function inUpdiDomain(err: unknown): never {
  throw err instanceof SerialError ? toUpdiError(err) : err;
}
