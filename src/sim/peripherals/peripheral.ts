// What every on-chip peripheral model shares: a register window in the I/O space and the chip services it
// may use. A peripheral touches the CPU only through its register reads/writes, interrupt request lines and
// clock events (the avr8js pattern); it never runs code on its own.

import type { Cpu } from '../cpu/cpu.js';
import type { ClockEvent, SimClock } from '../cpu/events.js';
import type { InterruptController } from '../cpu/interrupts.js';
import type { ChipTraceEvent, SleepMode } from '../chip-types.js';

/** Services the chip gives its peripherals. */
export interface ChipContext {
  readonly clock: SimClock;
  readonly cpu: Cpu;
  readonly interrupts: InterruptController;
  trace(event: ChipTraceEvent): void;
  /** A register or feature the model does not implement was used (counted, never fatal). */
  unimplemented(what: string): void;
  /** A write to a CCP-protected register came without the key; the write was ignored. */
  ccpViolation(register: string): void;
}

export interface Peripheral {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  read(offset: number): number;
  write(offset: number, value: number): void;
  /** Back to the reset state (registers, pending events). */
  reset(): void;
  /** The core entered a sleep mode (or woke: `undefined`). Peripherals on CLK_PER pause in standby/power-down. */
  sleepChanged?(mode: SleepMode | undefined): void;
  /** Interrupt vectors this peripheral can wake the core with in a sleep mode (bit n = vector n). */
  wakeVectors?(mode: SleepMode): number;
  /** True if reading the register has no side effect and its value changes only at one of this peripheral's
   * clock events or by a write (a polling loop on it can be fast-forwarded, cpu/idle-loop.ts). Absent = never. */
  stableRead?(offset: number): boolean;
}

/**
 * A register block the firmware may touch but the model does not emulate (TCA, SPI, AC, EVSYS…): it stores
 * what is written and reads it back, and reports every access as unimplemented.
 */
export class StubBlock implements Peripheral {
  private readonly regs: Uint8Array;

  constructor(
    private readonly ctx: ChipContext,
    readonly name: string,
    readonly base: number,
    readonly size: number,
  ) {
    this.regs = new Uint8Array(size);
  }

  read(offset: number): number {
    this.ctx.unimplemented(`${this.name}+0x${offset.toString(16)} read`);
    return this.regs[offset]!;
  }

  write(offset: number, value: number): void {
    this.ctx.unimplemented(`${this.name}+0x${offset.toString(16)} write`);
    this.regs[offset] = value;
  }

  reset(): void {
    this.regs.fill(0);
  }
}

/** Plain storage that IS the datasheet behaviour (GPIOR0..3): no reports. */
export class RamBlock implements Peripheral {
  private readonly regs: Uint8Array;

  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
  ) {
    this.regs = new Uint8Array(size);
  }

  read(offset: number): number {
    return this.regs[offset]!;
  }

  write(offset: number, value: number): void {
    this.regs[offset] = value;
  }

  reset(): void {
    this.regs.fill(0);
  }

  /** Plain storage: only writes change it. */
  stableRead(): boolean {
    return true;
  }
}

/**
 * A timed piece of work in a clock domain that can stop (CLK_PER in standby): it remembers how much time was
 * left when paused and finishes that much later after the clock restarts.
 */
export class PausableTimer {
  private readonly event: ClockEvent;
  private dueTime = 0;
  private remaining: number | undefined;

  constructor(
    private readonly clock: SimClock,
    onDue: () => void,
  ) {
    this.event = clock.event(onDue);
  }

  get active(): boolean {
    return this.event.queued || this.remaining !== undefined;
  }

  /** Absolute due time (seconds) while running. */
  get due(): number {
    return this.dueTime;
  }

  start(delaySeconds: number): void {
    this.remaining = undefined;
    this.dueTime = this.clock.time + delaySeconds;
    this.clock.rearm(this.event, this.dueTime);
  }

  cancel(): void {
    this.clock.cancel(this.event);
    this.remaining = undefined;
  }

  pause(): void {
    if (!this.event.queued) return;
    this.remaining = Math.max(0, this.dueTime - this.clock.time);
    this.clock.cancel(this.event);
  }

  resume(): void {
    if (this.remaining === undefined) return;
    const r = this.remaining;
    this.remaining = undefined;
    this.start(r);
  }
}
