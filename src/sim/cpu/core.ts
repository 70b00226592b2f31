// What a decoded instruction reaches of the core: the register file, SREG, SP, PC, the data space, the stack,
// and the core's control actions. The decoder (decoder.ts) and the idle-loop watcher (idle-loop.ts) see the core
// only through this interface, and the Cpu class (cpu.ts) implements it — so the modules that run instructions
// do not import the class that runs them (no import circle cpu → decoder → idle-loop → cpu).

import type { SimClock } from './events.js';

export interface Core {
  readonly regs: Uint8Array;
  sreg: number;
  sp: number;
  /** Program counter in words. */
  pc: number;
  readonly flash: Uint8Array;
  readonly flashWords: number;
  readonly clock: SimClock;
  /** Instructions retired since reset. */
  instructions: number;
  /** Set by SEI and RETI: the next instruction runs before any pending interrupt. */
  interruptInhibit: boolean;
  /** Raised by anything that may need the run loop's checks before the next instruction. */
  attention: boolean;
  /** Counts everything with an effect beyond the registers (idle-loop.ts). */
  effects: number;
  /** Instructions left in which a CCP key is valid (0 = none). */
  ccpCount: number;
  /** Fast-forward through idle polling loops. */
  fastForward: boolean;
  /** Cycles skipped by fast-forwarding. */
  fastForwardedCycles: number;
  /** The cycle the current run stops at (idle loops never skip past it). */
  runLimit: number;
  /** Execute known library routines natively (routines.ts; on by default, off to compare). */
  nativeRoutines: boolean;
  /** Inside a straight run of the CPU loop, the cycle before which every instruction boundary of a natively
   * executed routine must lie (the next event or the run's end); -Infinity elsewhere. */
  routineLimit: number;
  /** Routines executed natively so far (tests, bench). */
  nativeCalls: number;

  /** Flash word at a word address. */
  progWord(wordAddr: number): number;
  read(addr: number): number;
  write(addr: number, value: number): void;
  push(value: number): void;
  pop(): number;
  pushPc(pc: number): void;
  popPc(): number;
  executeSleep(): void;
  executeReti(): void;
  executeBreak(): void;
  executeIllegal(wordAddress: number, opcode: number): void;
  setWatchdogReset(): void;
}

/** Executes one decoded instruction, updates the PC, returns the cycles taken. */
export type Exec = (core: Core) => number;
