// WDT (0x0100), clocked by the 1.024 kHz ULP oscillator (OSCULP32K / 32).
//
// CTRLA.PERIOD (n = 1..11 → 8·2^(n-1) WDT cycles: 8 ms … 8 s) enables the watchdog; a non-zero CTRLA.WINDOW
// selects window mode with a closed period of the same coding, followed by an open period of PERIOD. A WDR in
// the closed period, or no WDR before the open period ends, resets the chip. CTRLA comes from FUSE.WDTCFG at
// reset, and a non-zero fuse PERIOD sets STATUS.LOCK (CTRLA then read-only until the next reset). CTRLA and
// STATUS.LOCK are CCP-protected. Writes and WDRs cross into the WDT clock domain: STATUS.SYNCBUSY is set for
// SYNC_CYCLES WDT cycles, and a WDR issued while a previous one is still synchronising is ignored.

import { Peripheral, type ChipContext } from './peripheral.js';
import type { ClockEvent } from '../cpu/events.js';

export const WDT_BASE = 0x0100;
export const WDT_HZ = 1024;
const CTRLA = 0x00;
const STATUS = 0x01;
const SYNCBUSY = 0x01;
const LOCK = 0x80;
/** Synchronisation into the WDT clock domain ("2–3 WDT clock cycles" in the datasheet). */
export const WDT_SYNC_CYCLES = 2;

/** WDT clock cycles for a PERIOD/WINDOW code, or 0 for off/reserved. */
export function wdtCycles(code: number): number {
  return code >= 1 && code <= 11 ? 8 << (code - 1) : 0;
}

export type WatchdogCause = 'timeout' | 'window';

export class Wdt implements Peripheral {
  readonly name = 'WDT';
  readonly base = WDT_BASE;
  readonly size = 0x10;
  private ctrla = 0;
  private lock = false;
  private syncUntil = -Infinity;
  /** When the count last restarted (enable, WDR, CTRLA change). */
  private lastClear = 0;
  private readonly timeoutEvent: ClockEvent;
  private readonly syncEvent: ClockEvent;
  /** WDRs seen / ignored because one was still synchronising (for tests and traces). */
  wdrCount = 0;
  wdrIgnored = 0;

  constructor(
    private readonly ctx: ChipContext,
    private readonly onExpire: (cause: WatchdogCause) => void,
  ) {
    this.timeoutEvent = ctx.clock.event(() => this.onExpire('timeout'));
    this.syncEvent = ctx.clock.event(() => this.wdrSynchronised());
  }

  /** Reset: CTRLA from FUSE.WDTCFG; LOCK when the fuse enables the watchdog. */
  resetFromFuse(wdtcfg: number): void {
    this.reset();
    this.ctrla = wdtcfg & 0xff;
    this.lock = (wdtcfg & 0x0f) !== 0;
    this.restart();
  }

  reset(): void {
    this.ctx.clock.cancel(this.timeoutEvent);
    this.ctx.clock.cancel(this.syncEvent);
    this.ctrla = 0;
    this.lock = false;
    this.syncUntil = -Infinity;
    this.lastClear = this.ctx.clock.time;
  }

  get enabled(): boolean {
    return wdtCycles(this.ctrla & 0x0f) > 0;
  }

  /** Closed-window length in seconds (0 in normal mode). */
  get closedSeconds(): number {
    return wdtCycles(this.ctrla >> 4) / WDT_HZ;
  }

  get periodSeconds(): number {
    return wdtCycles(this.ctrla & 0x0f) / WDT_HZ;
  }

  /** Absolute time of the next timeout, or Infinity. */
  get timeoutAt(): number {
    return this.enabled ? this.lastClear + this.closedSeconds + this.periodSeconds : Infinity;
  }

  private restart(): void {
    this.lastClear = this.ctx.clock.time;
    if (this.enabled) this.ctx.clock.rearm(this.timeoutEvent, this.timeoutAt);
    else this.ctx.clock.cancel(this.timeoutEvent);
  }

  /** A WDR reached the WDT clock domain: too early in window mode resets, else the count restarts. */
  private wdrSynchronised(): void {
    if (this.ctx.clock.time - this.lastClear < this.closedSeconds) this.onExpire('window');
    else this.restart();
  }

  private get syncing(): boolean {
    return this.ctx.clock.time < this.syncUntil;
  }

  /** The WDR instruction. */
  watchdogReset(): void {
    this.wdrCount++;
    if (!this.enabled) return;
    if (this.syncing) {
      this.wdrIgnored++;
      return;
    }
    this.syncUntil = this.ctx.clock.time + WDT_SYNC_CYCLES / WDT_HZ;
    this.ctx.clock.rearm(this.syncEvent, this.syncUntil);
  }

  read(offset: number): number {
    if (offset === CTRLA) return this.ctrla;
    if (offset === STATUS) return (this.lock ? LOCK : 0) | (this.syncing ? SYNCBUSY : 0);
    return 0;
  }

  write(offset: number, value: number): void {
    if (offset !== CTRLA && offset !== STATUS) return;
    if (!this.ctx.cpu.ccpOpen('ioreg')) return this.ctx.ccpViolation(offset === CTRLA ? 'WDT.CTRLA' : 'WDT.STATUS');
    if (offset === STATUS) {
      if (value & LOCK) this.lock = true;
      return;
    }
    if (this.lock) return; // CTRLA is read-only while LOCK is set
    if (this.syncing) return; // a write while synchronising is lost
    this.ctrla = value & 0xff;
    this.syncUntil = this.ctx.clock.time + WDT_SYNC_CYCLES / WDT_HZ;
    this.restart();
  }
}
