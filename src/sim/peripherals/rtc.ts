// RTC (0x0140): the periodic interrupt timer (PIT) in full, the RTC counter only as registers.
//
// The RTC clock is CLKSEL: INT32K (32.768 kHz) or INT1K (1.024 kHz) from the ULP oscillator. The PIT divides it
// by PITCTRLA.PERIOD (code n = 1..14 → 4·2^(n-1) cycles) and sets PITINTFLAGS.PI on every period boundary of the
// RTC prescaler, which runs from reset; PI (write 1 to clear) requests vector RTC_PIT (4) when PITINTCTRL.PI is
// set. A PITCTRLA write is synchronised into the RTC domain (PITSTATUS.CTRLBUSY for SYNC_CYCLES RTC cycles).
// The PIT runs in every sleep mode and wakes the core from all of them.

import type { ClockEvent } from '../cpu/events.js';
import { Peripheral, type ChipContext } from './peripheral.js';

export const RTC_BASE = 0x0140;
export const RTC_PIT_VECTOR = 4;
const CTRLA = 0x00;
const STATUS = 0x01;
const CLKSEL = 0x07;
const PITCTRLA = 0x10;
const PITSTATUS = 0x11;
const PITINTCTRL = 0x12;
const PITINTFLAGS = 0x13;
const PITEN = 0x01;
const PI = 0x01;
const RTCEN = 0x01;
/** Cycles of the RTC clock a control write takes to synchronise (assumed: the datasheet gives no number). */
export const RTC_SYNC_CYCLES = 2;

/** PIT period in RTC clock cycles for PITCTRLA.PERIOD, or 0 (off/reserved). */
export function pitCycles(periodCode: number): number {
  return periodCode >= 1 && periodCode <= 14 ? 4 << (periodCode - 1) : 0;
}

export class Rtc implements Peripheral {
  readonly name = 'RTC';
  readonly base = RTC_BASE;
  readonly size = 0x20;
  private readonly regs = new Uint8Array(0x20);
  private pitctrla = 0;
  private pitintctrl = 0;
  private pitFlags = 0;
  private clksel = 0;
  /** Start of the RTC prescaler (the ULP clock runs from reset). */
  private origin = 0;
  private pitSyncUntil = -Infinity;
  private ctrlSyncUntil = -Infinity;
  private readonly tick: ClockEvent;
  /** Nothing to do when a synchronisation ends, but STATUS/PITSTATUS change then: an event marks it (so a
   * loop polling them waits for a known instant, cpu/idle-loop.ts). */
  private readonly ctrlSynced: ClockEvent;
  private readonly pitSynced: ClockEvent;
  private tickAt = 0;
  /** PIT periods elapsed since enabling (for tests). */
  ticks = 0;

  constructor(private readonly ctx: ChipContext) {
    this.tick = ctx.clock.event(() => this.onTick());
    this.ctrlSynced = ctx.clock.event(() => {});
    this.pitSynced = ctx.clock.event(() => {});
  }

  reset(): void {
    this.regs.fill(0);
    this.pitctrla = 0;
    this.pitintctrl = 0;
    this.pitFlags = 0;
    this.clksel = 0;
    this.origin = this.ctx.clock.time;
    this.pitSyncUntil = -Infinity;
    this.ctrlSyncUntil = -Infinity;
    this.ctx.clock.cancel(this.tick);
    this.ticks = 0;
    this.updateIrq();
  }

  get rtcHz(): number {
    return this.clksel === 1 ? 1024 : 32768;
  }

  /** Seconds per PIT period, or 0 when the PIT is off. */
  get pitPeriodSeconds(): number {
    if (!(this.pitctrla & PITEN)) return 0;
    return pitCycles((this.pitctrla >> 3) & 0x0f) / this.rtcHz;
  }

  private updateIrq(): void {
    this.ctx.interrupts.setRequest(RTC_PIT_VECTOR, (this.pitFlags & this.pitintctrl & PI) !== 0);
  }

  /** (Re)arms the PIT from `from` (the instant the new setting takes effect). */
  private schedulePit(from: number): void {
    this.ctx.clock.cancel(this.tick);
    const period = this.pitPeriodSeconds;
    if (period === 0) return;
    // Next boundary of the free-running prescaler strictly after `from`.
    const k = Math.floor((from - this.origin) / period + 1e-9) + 1;
    this.tickAt = this.origin + k * period;
    this.ctx.clock.rearm(this.tick, this.tickAt);
  }

  private onTick(): void {
    this.ticks++;
    this.pitFlags |= PI;
    this.updateIrq();
    this.schedulePit(this.tickAt);
  }

  /** The PIT's registers and both status registers (their busy ends are events); not the counter. */
  stableRead(offset: number): boolean {
    return offset === STATUS || offset === CLKSEL || (offset >= PITCTRLA && offset <= PITINTFLAGS);
  }

  read(offset: number): number {
    const now = this.ctx.clock.time;
    switch (offset) {
      case STATUS:
        return now < this.ctrlSyncUntil ? 0x01 : 0;
      case CLKSEL:
        return this.clksel;
      case PITCTRLA:
        return this.pitctrla;
      case PITSTATUS:
        return now < this.pitSyncUntil ? 0x01 : 0;
      case PITINTCTRL:
        return this.pitintctrl;
      case PITINTFLAGS:
        return this.pitFlags;
      default:
        if (offset >= 0x08 && offset <= 0x0d) this.ctx.unimplemented('RTC counter registers');
        return this.regs[offset]!;
    }
  }

  write(offset: number, value: number): void {
    const now = this.ctx.clock.time;
    switch (offset) {
      case CTRLA:
        this.regs[CTRLA] = value;
        this.ctrlSyncUntil = now + RTC_SYNC_CYCLES / this.rtcHz;
        this.ctx.clock.rearm(this.ctrlSynced, this.ctrlSyncUntil);
        if (value & RTCEN) this.ctx.unimplemented('RTC counter (RTCEN): only the PIT is modelled');
        return;
      case CLKSEL:
        this.clksel = value & 0x03;
        if (this.clksel >= 2) this.ctx.unimplemented('RTC CLKSEL TOSC32K/EXTCLK (no crystal or clock on the board)');
        if (this.pitctrla & PITEN) this.schedulePit(now);
        return;
      case PITCTRLA: {
        if (now < this.pitSyncUntil) return; // lost while the previous write synchronises
        this.pitctrla = value & 0x79;
        this.pitSyncUntil = now + RTC_SYNC_CYCLES / this.rtcHz;
        this.ctx.clock.rearm(this.pitSynced, this.pitSyncUntil);
        this.schedulePit(this.pitSyncUntil);
        return;
      }
      case PITINTCTRL:
        this.pitintctrl = value & PI;
        this.updateIrq();
        return;
      case PITINTFLAGS:
        this.pitFlags &= ~value;
        this.updateIrq();
        return;
      default:
        this.regs[offset] = value;
        if (offset >= 0x02 && offset <= 0x0d) this.ctx.unimplemented('RTC counter registers');
    }
  }

  wakeVectors(): number {
    return 1 << RTC_PIT_VECTOR;
  }
}
