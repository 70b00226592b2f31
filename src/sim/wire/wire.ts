/**
 * The single UPDI wire between a USB-serial adapter and the target, as a timed byte model.
 *
 * - Echo: TX and RX share the pin, so every byte the host sends comes back to it, in order, before
 *   the target's reply.
 * - Pacing (optional): a frame is 12 bit times (start, 8 data, even parity, 2 stop) at `baud`; the
 *   line is half duplex, so host bytes, echoes and target replies queue behind each other. The
 *   target's replies start after its guard time and IBDLY gaps, as it reports them per byte.
 * - Adapter latency (optional): bytes bound for the host sit in the adapter until its latency timer
 *   expires (`latencySeconds` after the first waiting byte) or a USB packet (`packetPayload`) is
 *   full, then go up in one chunk; host bytes reach the line `turnaroundSeconds` after they were
 *   written (the next USB frame). Profiles of real chips: adapters.ts.
 * - Faults (optional): see {@link FaultSource}. A corrupted host byte reaches the target with a
 *   parity error (and is echoed damaged); a dropped host byte is echoed but never reaches the
 *   target; a target byte may be lost or damaged on its way to the host; a delay stalls the line.
 *
 * Times are seconds on the injected {@link WireClock}. While an event is processed, `now()`
 * returns that event's (virtual) time, which is what the target and the NVM controller see.
 */
import type { FaultSource } from './faults.js';
import type { WireClock } from './clock.js';

/** Bits per UPDI frame: 1 start + 8 data + 1 parity + 2 stop. */
export const BITS_PER_FRAME = 12;
/** FTDI adapters send at most 62 payload bytes per 64-byte USB packet. */
export const USB_PACKET_PAYLOAD = 62;

/** What sits at the far end of the wire (the UPDI target). */
export interface WireReceiver {
  receive(byte: number, parityError: boolean): void;
}

export interface UpdiWireOptions {
  clock: WireClock;
  /** Pacing baud rate; 0 or undefined = no pacing (bytes cross instantly). */
  baud?: number;
  /** Adapter latency timer in seconds; 0 = bytes go to the host at once. */
  latencySeconds?: number;
  /** Payload bytes per USB packet to the host (default 62, an FTDI chip's; Infinity: no packets). */
  packetPayload?: number;
  /** Delay before host bytes reach the line, in seconds (the adapter's USB frame; default 0). */
  turnaroundSeconds?: number;
  faults?: FaultSource;
  /** Bytes for the host (echo and replies), in order, in adapter-sized chunks. */
  toHost: (bytes: Uint8Array) => void;
}

export interface WireStats {
  hostBytes: number;
  targetBytes: number;
  chunksToHost: number;
  /** Time the line was busy carrying frames, in seconds (0 without pacing). */
  lineBusySeconds: number;
}

interface WireEvent {
  at: number;
  seq: number;
  run: () => void;
}

export class UpdiWire {
  readonly stats: WireStats = { hostBytes: 0, targetBytes: 0, chunksToHost: 0, lineBusySeconds: 0 };
  private receiver: WireReceiver | undefined;
  private readonly queue: WireEvent[] = [];
  private seq = 0;
  private lineFreeAt = Number.NEGATIVE_INFINITY;
  private eventTime: number | undefined;
  private readonly rxBuffer: number[] = [];
  private flushScheduled = false;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumping = false;
  private closed = false;
  private readonly byteSeconds: number;
  private readonly bitSeconds: number;
  private readonly latency: number;
  private readonly packetPayload: number;
  private readonly turnaround: number;

  constructor(private readonly o: UpdiWireOptions) {
    const baud = o.baud ?? 0;
    if (baud < 0 || !Number.isFinite(baud)) throw new RangeError(`baud ${baud}`);
    this.bitSeconds = baud > 0 ? 1 / baud : 0;
    this.byteSeconds = BITS_PER_FRAME * this.bitSeconds;
    this.latency = Math.max(0, o.latencySeconds ?? 0);
    this.packetPayload = o.packetPayload ?? USB_PACKET_PAYLOAD;
    this.turnaround = Math.max(0, o.turnaroundSeconds ?? 0);
  }

  /** Connects the far end; bytes from the host are delivered to it. */
  connect(receiver: WireReceiver): void {
    this.receiver = receiver;
  }

  /** The wire's notion of now: the time of the event being processed, else the clock. */
  now(): number {
    return this.eventTime ?? this.o.clock.now();
  }

  /** True while frames are still queued on the line or waiting in the adapter. */
  get busy(): boolean {
    return this.queue.length > 0 || this.rxBuffer.length > 0;
  }

  /** Bytes written by the host (from the pseudo-terminal). */
  fromHost(bytes: Uint8Array): void {
    if (this.closed) return;
    const now = this.o.clock.now() + this.turnaround;
    for (const byte of bytes) {
      this.stats.hostBytes++;
      const fate = this.o.faults?.next(byte, 'host') ?? { kind: 'pass' as const };
      const end = this.occupyLine(now, fate.kind === 'delay' ? fate.seconds : 0);
      const damaged = fate.kind === 'corrupt' ? byte ^ (1 << fate.bit) : byte;
      this.schedule(end, () => this.toAdapter(damaged));
      if (fate.kind !== 'drop') this.schedule(end, () => this.receiver?.receive(damaged, fate.kind === 'corrupt'));
    }
    this.pump();
  }

  /** A byte from the target, sent after `idleBits` of idle line (guard time or IBDLY). */
  fromTarget(byte: number, idleBits: number): void {
    if (this.closed) return;
    this.stats.targetBytes++;
    const fate = this.o.faults?.next(byte, 'target') ?? { kind: 'pass' as const };
    const earliest = this.now() + idleBits * this.bitSeconds;
    const end = this.occupyLine(earliest, fate.kind === 'delay' ? fate.seconds : 0);
    if (fate.kind === 'drop') return;
    const damaged = fate.kind === 'corrupt' ? byte ^ (1 << fate.bit) : byte;
    this.schedule(end, () => this.toAdapter(damaged));
    if (!this.pumping) this.pump();
  }

  /** Stops all timers; later input is ignored. */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.queue.length = 0;
  }

  /** Reserves the line for one frame starting no earlier than `earliest`; returns its end time. */
  private occupyLine(earliest: number, stallSeconds: number): number {
    const start = Math.max(earliest, this.lineFreeAt) + stallSeconds;
    const end = start + this.byteSeconds;
    this.stats.lineBusySeconds += this.byteSeconds;
    this.lineFreeAt = end;
    return end;
  }

  private toAdapter(byte: number): void {
    this.rxBuffer.push(byte);
    if (this.rxBuffer.length >= this.packetPayload || this.latency === 0) {
      // Full packet, or no latency timer: flush now (latency 0 batches at the end of the pump).
      if (this.rxBuffer.length >= this.packetPayload) this.flush();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(this.now() + this.latency, () => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.rxBuffer.length === 0) return;
    const chunk = Uint8Array.from(this.rxBuffer);
    this.rxBuffer.length = 0;
    this.stats.chunksToHost++;
    this.o.toHost(chunk);
  }

  private schedule(at: number, run: () => void): void {
    const event = { at, seq: this.seq++, run };
    // Events arrive nearly in time order: insert from the back.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1].at > at || (this.queue[i - 1].at === at && this.queue[i - 1].seq > event.seq))) i--;
    this.queue.splice(i, 0, event);
  }

  /** Runs every event that is due, then arms a timer for the next one. */
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      const now = this.o.clock.now();
      while (this.queue.length && this.queue[0].at <= now) {
        const event = this.queue.shift()!;
        this.eventTime = event.at;
        event.run();
      }
    } finally {
      this.eventTime = undefined;
      this.pumping = false;
    }
    if (this.latency === 0) this.flush();
    this.arm();
  }

  private arm(): void {
    const next = this.queue[0]?.at;
    if (next === undefined || this.closed) return;
    if (this.cancelTimer && this.timerAt <= next) return;
    this.cancelTimer?.();
    this.timerAt = next;
    this.cancelTimer = this.o.clock.setTimer(next, () => {
      this.cancelTimer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    });
  }
}
