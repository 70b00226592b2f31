// Simulated time and the event queue.
//
// The CPU clock is the timeline the core runs on: `cycles` counts CPU clock periods since power-up
// (executing or sleeping). Peripherals in other clock domains (the 1.024 kHz ULP oscillator for RTC PIT
// and WDT) schedule events in seconds; the clock converts between the two so that a prescaler change
// (CLKCTRL.MCLKCTRLB) only moves the conversion epoch, never an already scheduled event.

import { widenCounters } from './wide-counters.js';

/** A scheduled callback. Keep the object to cancel it, or to re-arm it without allocating (`rearm`). */
export interface ClockEvent {
  time: number;
  readonly callback: () => void;
  /** Insertion order, so events at the same instant fire first-scheduled first. */
  seq: number;
  /** True while it waits in the queue. */
  queued: boolean;
}

export class SimClock {
  /** CPU clock cycles since power-up, including cycles spent asleep. */
  cycles = 0;
  /** Cycle count at which the earliest pending event is due (Infinity when none). The CPU loop compares this. */
  nextEventCycle = Infinity;
  /** Changes whenever the CPU frequency changes, so a running loop can recompute its cycle targets. */
  epoch = 0;
  /** Events fired so far (a polling loop is idle only between events; cpu/idle-loop.ts). */
  fired = 0;
  private epochCycles = 0;
  private epochTime = 0;
  private period: number;
  private queue: ClockEvent[] = [];
  private seq = 0;

  constructor(cpuHz: number) {
    this.period = 1 / cpuHz;
    widenCounters(this, 'cycles', 'fired', 'epochCycles', 'seq');
  }

  /** Simulated time in seconds. */
  get time(): number {
    return this.timeOf(this.cycles);
  }

  get cpuHz(): number {
    return 1 / this.period;
  }

  /** Changes the CPU clock frequency from now on (a prescaler or oscillator change). */
  setCpuHz(hz: number): void {
    this.epochTime = this.time;
    this.epochCycles = this.cycles;
    this.period = 1 / hz;
    this.epoch++;
    this.updateNext();
    // Make a running CPU loop look at the clock now (it re-derives its cycle targets from times).
    this.nextEventCycle = Math.min(this.nextEventCycle, this.cycles);
  }

  /** Simulated time at a cycle count (under the current frequency). */
  timeOf(cycle: number): number {
    return this.epochTime + (cycle - this.epochCycles) * this.period;
  }

  /**
   * Seconds → the first CPU cycle count whose time is at or after that instant. Guaranteed `timeOf(result) >=
   * time` in floating point, so whatever compares times at an event (a busy flag ending then) agrees with it.
   */
  cycleAt(time: number): number {
    let c = Math.ceil(this.epochCycles + (time - this.epochTime) / this.period - 1e-9);
    while (this.timeOf(c) < time) c++;
    return c;
  }

  schedule(time: number, callback: () => void): ClockEvent {
    const ev: ClockEvent = { time, callback, seq: 0, queued: false };
    this.insert(ev);
    return ev;
  }

  /** An event object for `rearm`, not yet scheduled (peripherals keep one per timer: no garbage per event). */
  event(callback: () => void): ClockEvent {
    return { time: Infinity, callback, seq: 0, queued: false };
  }

  /** (Re)schedules an event object at `time`, dropping a pending occurrence first. */
  rearm(ev: ClockEvent, time: number): void {
    // Taken out and put back with one look at the head at the end (a peripheral re-arms its timer at every
    // conversion, byte and tick).
    const wasHead = ev.queued && this.remove(ev) === 0;
    ev.time = time;
    if (this.place(ev) === 0 || wasHead) this.updateNext();
  }

  private insert(ev: ClockEvent): void {
    if (this.place(ev) === 0) this.updateNext();
  }

  /** Puts `ev` in the queue after every event due at or before its time; returns its index. */
  private place(ev: ClockEvent): number {
    ev.seq = this.seq++;
    ev.queued = true;
    // Shifted by hand: splice builds an array of what it removed (garbage at every event).
    const q = this.queue;
    let i = q.length;
    q.push(ev);
    while (i > 0 && q[i - 1]!.time > ev.time) {
      q[i] = q[i - 1]!;
      i--;
    }
    q[i] = ev;
    return i;
  }

  /** Takes a queued `ev` out; returns the index it had (-1 if it was not there). */
  private remove(ev: ClockEvent): number {
    ev.queued = false;
    const q = this.queue;
    const i = q.indexOf(ev);
    if (i >= 0) {
      for (let k = i + 1; k < q.length; k++) q[k - 1] = q[k]!;
      q.pop();
    }
    return i;
  }

  /** Schedules `callback` after `cycles` CPU cycles from now. */
  scheduleInCycles(cycles: number, callback: () => void): ClockEvent {
    return this.schedule(this.time + cycles * this.period, callback);
  }

  cancel(ev: ClockEvent | undefined): void {
    if (!ev || !ev.queued) return;
    if (this.remove(ev) === 0) this.updateNext();
  }

  /** Time of the earliest pending event, or Infinity. */
  get nextEventTime(): number {
    return this.queue.length ? this.queue[0]!.time : Infinity;
  }

  /** Fires every event that is due at the current cycle, in time order (callbacks may schedule more). */
  runDue(): void {
    while (this.queue.length && this.cycleAt(this.queue[0]!.time) <= this.cycles) {
      const ev = this.queue.shift()!;
      ev.queued = false;
      this.fired++;
      ev.callback();
    }
    this.updateNext();
  }

  /** Drops every pending event (a system reset re-creates peripheral state). */
  clear(): void {
    for (const ev of this.queue) ev.queued = false;
    this.queue = [];
    this.updateNext();
  }

  private updateNext(): void {
    this.nextEventCycle = this.queue.length ? this.cycleAt(this.queue[0]!.time) : Infinity;
  }
}
