/**
 * The host end of a chip's UPDI pin: the wire model (echo, pacing, adapter latency, faults) between
 * a programmer's bytes and the chip's own UPDI target.
 *
 * Two clocks meet here. The wire runs on a {@link WireClock} (the wall clock when serving a pty or
 * a pipe, a ManualClock in tests); the target and the NVM controller run on the chip's clock. While
 * the CPU is held (a programmer holds it in reset, or the board has no firmware) nothing else moves
 * the chip's time, so before each byte reaches the target the link lets the chip's clock catch up
 * with the wire time that passed: a page write stays busy for 2 ms of wire time, and an idle gap on
 * the wire is an idle gap for the UPDI's BREAK detection. While the CPU runs, its owner moves time
 * (the pacer), and the link only notes where both clocks stand.
 */
import type { Attiny824 } from '../chip.js';
import { realClock, type WireClock } from '../wire/clock.js';
import { FaultInjector, type FaultConfig, type FaultSource } from '../wire/faults.js';
import { UpdiWire } from '../wire/wire.js';

export interface UpdiLinkOptions {
  /** Bytes for the host: the echo of what it sent, then the target's replies. */
  toHost: (bytes: Uint8Array) => void;
  /** Default: the wall clock. */
  clock?: WireClock;
  /** Wire pacing baud rate; 0 or undefined = off. */
  baud?: number;
  /** USB adapter latency timer in seconds; 0 or undefined = off. */
  latencySeconds?: number;
  /** USB packet payload and host-write turnaround of the adapter (see UpdiWireOptions). */
  packetPayload?: number;
  turnaroundSeconds?: number;
  faults?: FaultConfig;
  /** A fault source of the caller's own (takes the place of `faults`). */
  faultSource?: FaultSource;
}

export class UpdiLink {
  readonly wire: UpdiWire;
  readonly faults: FaultSource | undefined;
  /** A pair of instants, one per clock, known to be the same moment. */
  private chipMark: number;
  private wireMark: number;
  /** Wire time of the last byte the target received (or of the last real BREAK). */
  private lastRxAt = -Infinity;

  constructor(
    private readonly chip: Attiny824,
    options: UpdiLinkOptions,
  ) {
    this.faults = options.faultSource ?? (options.faults ? new FaultInjector(options.faults) : undefined);
    this.wire = new UpdiWire({
      clock: options.clock ?? realClock,
      baud: options.baud,
      latencySeconds: options.latencySeconds,
      packetPayload: options.packetPayload,
      turnaroundSeconds: options.turnaroundSeconds,
      faults: this.faults,
      toHost: options.toHost,
    });
    this.wire.connect({
      receive: (byte, parityError) => {
        this.catchUp();
        // The line's idle time is the wire's: a chip run ahead by its owner would see a host's
        // short pause as a long silence (and a 0x00 data byte as a BREAK).
        const now = this.wire.now();
        const idle = now - this.lastRxAt;
        this.lastRxAt = now;
        chip.updi.receive(byte, parityError, idle);
      },
    });
    chip.connectUpdi((byte, idleBits) => this.wire.fromTarget(byte, idleBits));
    this.chipMark = chip.time;
    this.wireMark = this.wire.now();
  }

  /** Bytes the host wrote. */
  hostWrite(bytes: Uint8Array): void {
    this.wire.fromHost(bytes);
  }

  /** A real BREAK condition from the host (a transport that can signal one). */
  hostBreak(): void {
    this.catchUp();
    this.lastRxAt = this.wire.now();
    this.chip.updi.receiveBreak();
  }

  /** Stops the wire's timers; later bytes are ignored. */
  close(): void {
    this.wire.close();
  }

  /** Brings a held chip's clock to the wire's now; with the CPU running, re-marks both clocks. */
  private catchUp(): void {
    const wireNow = this.wire.now();
    const target = this.chipMark + (wireNow - this.wireMark);
    if (this.chip.isResetHeld && target > this.chip.time) {
      this.chip.runUntil(target);
      return;
    }
    // The chip ran ahead of the wire (its owner paced it) or runs firmware: measure from here on.
    this.chipMark = this.chip.time;
    this.wireMark = wireNow;
  }
}
