// A bare AVRxt core for instruction-level tests: flash from words, a flat 64 KB bus for everything that is not
// SRAM or a core register, no peripherals.
import { Cpu } from '../../../src/sim/cpu/cpu.js';
import { SimClock } from '../../../src/sim/cpu/events.js';
import { InterruptController } from '../../../src/sim/cpu/interrupts.js';
import { mulberry32 } from '../../../src/sim/wire/faults.js';

export interface BareCore {
  cpu: Cpu;
  clock: SimClock;
  interrupts: InterruptController;
  bus: Uint8Array;
  flash: Uint8Array;
  illegal: number[];
}

export function bareCore(words: number[], flashBytes = 8192): BareCore {
  const flash = new Uint8Array(flashBytes);
  words.forEach((w, i) => {
    flash[2 * i] = w & 0xff;
    flash[2 * i + 1] = w >> 8;
  });
  const bus = new Uint8Array(0x10000);
  const clock = new SimClock(1_000_000);
  const interrupts = new InterruptController();
  const illegal: number[] = [];
  const cpu = new Cpu(
    flash,
    { read: (a) => bus[a]!, write: (a, v) => void (bus[a] = v) },
    clock,
    interrupts,
    { sleep: () => 'idle', watchdogReset: () => {}, wake: () => {}, illegalOpcode: (_a, op) => void illegal.push(op) },
  );
  return { cpu, clock, interrupts, bus, flash, illegal };
}

/** Deterministic PRNG so a failing case can be reproduced from its seed (the project's mulberry32). */
export const prng = mulberry32;
