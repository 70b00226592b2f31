// USART0 (0x0800), transmitter only (the board's log line on PB2; RX is not wired on the board).
//
// A byte written to TXDATAL goes to the shift register at once if it is idle, else waits in the one-byte
// buffer (STATUS.DREIF clear while the buffer is full). A frame takes 1 start + CHSIZE data + parity + 1 or 2 stop
// bits at the baud rate 64·f_CLK_PER / (S·BAUD), S = 16 (8 with CLK2X) (ATTINY824_FACTS §2.9). When the last stop
// bit has left and nothing is buffered, STATUS.TXCIF is set (write 1 to clear). DREIF and TXCIF request vectors
// USART0_DRE (18) and USART0_TXC (19) when CTRLA.DREIE / TXCIE are set. Each byte is reported with the time of
// its last stop bit. CLK_PER stops in standby and power-down: a frame in flight pauses until the core wakes.

import type { SleepMode } from '../chip-types.js';
import { PausableTimer, Peripheral, type ChipContext } from './peripheral.js';

export const USART0_BASE = 0x0800;
const VEC_RXC = 17;
const VEC_DRE = 18;
const VEC_TXC = 19;
const RXDATAL = 0x00;
const RXDATAH = 0x01;
const TXDATAL = 0x02;
const TXDATAH = 0x03;
const STATUS = 0x04;
const CTRLA = 0x05;
const CTRLB = 0x06;
const CTRLC = 0x07;
const BAUDL = 0x08;
const BAUDH = 0x09;
const CTRLD = 0x0a;
const DBGCTRL = 0x0b;
const EVCTRL = 0x0c;
const TXPLCTRL = 0x0d;
const RXPLCTRL = 0x0e;

const DREIF = 0x20;
const TXCIF = 0x40;
const DREIE = 0x20;
const TXCIE = 0x40;
const TXEN = 0x40;
const CLK2X = 0x02;

/** Bits in one frame for a CTRLC value (async mode). */
export function frameBits(ctrlc: number): number {
  const chsize = ctrlc & 0x07;
  const data = chsize <= 3 ? 5 + chsize : 9; // 5..8 bits, 9BITL/9BITH
  const parity = (ctrlc >> 4) & 0x03 ? 1 : 0;
  const stop = ctrlc & 0x08 ? 2 : 1;
  return 1 + data + parity + stop;
}

export class Usart implements Peripheral {
  readonly name = 'USART0';
  readonly base = USART0_BASE;
  readonly size = 0x20;
  private ctrla = 0;
  private ctrlb = 0;
  private ctrlc = 0x03;
  private ctrld = 0;
  private dbgctrl = 0;
  private evctrl = 0;
  private txplctrl = 0;
  private rxplctrl = 0;
  private baud = 0;
  private txcif = false;
  private buffer: number | undefined;
  private shifting: number | undefined;
  private readonly frame: PausableTimer;
  /** Bytes transmitted since reset (for tests). */
  bytesSent = 0;

  constructor(
    private readonly ctx: ChipContext,
    private readonly cpuHz: () => number,
    private readonly onByte: (byte: number, t: number) => void,
    /** TXEN changed: the USART takes PB2 over (idle high) or gives it back to PORTB. */
    private readonly onTxEnable: (enabled: boolean) => void,
  ) {
    this.frame = new PausableTimer(ctx.clock, () => this.frameDone());
  }

  reset(): void {
    this.frame.cancel();
    this.ctrla = 0;
    this.ctrlb = 0;
    this.ctrlc = 0x03;
    this.ctrld = 0;
    this.dbgctrl = 0;
    this.evctrl = 0;
    this.txplctrl = 0;
    this.rxplctrl = 0;
    this.baud = 0;
    this.txcif = false;
    this.buffer = undefined;
    this.shifting = undefined;
    this.bytesSent = 0;
    this.updateIrq();
  }

  get txEnabled(): boolean {
    return (this.ctrlb & TXEN) !== 0;
  }

  /** Baud rate from BAUD and CLK_PER (BAUD below 64 is out of range on the part; it is clamped to 64 here). */
  get baudRate(): number {
    const s = this.ctrlb & CLK2X ? 8 : 16;
    return (64 * this.cpuHz()) / (s * Math.max(64, this.baud));
  }

  /** Seconds one frame takes with the current settings. */
  get frameSeconds(): number {
    return frameBits(this.ctrlc) / this.baudRate;
  }

  private status(): number {
    return (this.buffer === undefined ? DREIF : 0) | (this.txcif ? TXCIF : 0);
  }

  private updateIrq(): void {
    const s = this.status();
    this.ctx.interrupts.setRequest(VEC_DRE, (this.ctrla & DREIE) !== 0 && (s & DREIF) !== 0);
    this.ctx.interrupts.setRequest(VEC_TXC, (this.ctrla & TXCIE) !== 0 && (s & TXCIF) !== 0);
    this.ctx.interrupts.setRequest(VEC_RXC, false);
  }

  private startFrame(byte: number): void {
    this.shifting = byte;
    this.frame.start(this.frameSeconds);
  }

  private frameDone(): void {
    const byte = this.shifting!;
    this.shifting = undefined;
    this.bytesSent++;
    this.onByte(byte, this.ctx.clock.time);
    if (this.buffer !== undefined) {
      const next = this.buffer;
      this.buffer = undefined;
      this.startFrame(next);
    } else {
      this.txcif = true;
    }
    this.updateIrq();
  }

  /** Everything but the receiver's data changes only when a frame ends (an event) or by a write. */
  stableRead(offset: number): boolean {
    return offset !== RXDATAL && offset !== RXDATAH;
  }

  read(offset: number): number {
    switch (offset) {
      case STATUS:
        return this.status();
      case CTRLA:
        return this.ctrla;
      case CTRLB:
        return this.ctrlb;
      case CTRLC:
        return this.ctrlc;
      case BAUDL:
        return this.baud & 0xff;
      case BAUDH:
        return this.baud >> 8;
      case CTRLD:
        return this.ctrld;
      case DBGCTRL:
        return this.dbgctrl;
      case EVCTRL:
        return this.evctrl;
      case TXPLCTRL:
        return this.txplctrl;
      case RXPLCTRL:
        return this.rxplctrl;
      case RXDATAL:
      case RXDATAH:
        this.ctx.unimplemented('USART0 receiver');
        return 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number): void {
    switch (offset) {
      case TXDATAL:
        if (!this.txEnabled) return; // data written while the transmitter is off is dropped
        if (this.shifting === undefined) this.startFrame(value);
        else if (this.buffer === undefined) this.buffer = value;
        // else: written while DREIF was clear; the part loses it too
        break;
      case TXDATAH:
        if ((this.ctrlc & 0x07) >= 6) this.ctx.unimplemented('USART0 9-bit frames');
        return;
      case STATUS:
        if (value & TXCIF) this.txcif = false;
        break;
      case CTRLA:
        this.ctrla = value;
        if (value & 0x80) this.ctx.unimplemented('USART0 receiver interrupts');
        break;
      case CTRLB: {
        const was = this.txEnabled;
        this.ctrlb = value;
        if (value & 0x80) this.ctx.unimplemented('USART0 receiver (RXEN)');
        if (was !== this.txEnabled) {
          if (!this.txEnabled) {
            // Disabling the transmitter waits for the frame in progress; the buffer is flushed.
            this.buffer = undefined;
          }
          this.onTxEnable(this.txEnabled);
        }
        break;
      }
      case CTRLC:
        this.ctrlc = value;
        if (value & 0xc0) this.ctx.unimplemented('USART0 synchronous/SPI modes');
        return;
      case BAUDL:
        this.baud = (this.baud & 0xff00) | value;
        return;
      case BAUDH:
        this.baud = (this.baud & 0x00ff) | (value << 8);
        return;
      case CTRLD:
        this.ctrld = value;
        return;
      case DBGCTRL:
        this.dbgctrl = value;
        return;
      case EVCTRL:
        this.evctrl = value;
        return;
      case TXPLCTRL:
        this.txplctrl = value;
        return;
      case RXPLCTRL:
        this.rxplctrl = value;
        return;
      default:
        return;
    }
    this.updateIrq();
  }

  sleepChanged(mode: SleepMode | undefined): void {
    if (mode === 'standby' || mode === 'pdown') this.frame.pause();
    else this.frame.resume();
  }
}
