// The AVRxt core of the tinyAVR 2-series: register file, SREG, SP, program counter, the data-space view the
// instructions see, configuration-change protection, interrupt entry, SLEEP and BREAK.
//
// The register file is NOT in the data space on this core (data address 0x0000 is VPORTA.DIR). The core itself
// answers CCP (0x34), SPL/SPH (0x3D/0x3E), SREG (0x3F) and SRAM (0x3C00–0x3FFF); every other data address goes to
// the injected bus, which the chip routes to peripherals and the NVM regions.
//
// Instructions are decoded once per flash word into closures (decoder.ts) and cached; a write to flash must call
// `invalidateCode()`. The run loop checks events, interrupts and sleep only when something could have changed
// them: an instruction that writes to the bus, reads it with a side effect or changes control state raises
// `attention`; between those, a straight run of instructions goes without the checks (the common ones executed
// inline, inline-ops.ts). Polling loops in a fixed point are fast-forwarded to the next event (idle-loop.ts).

import type { SleepMode } from '../chip-types.js';
import type { Core, Exec } from './core.js';
import { decodeAt } from './decoder.js';
import type { SimClock } from './events.js';
import type { InterruptController } from './interrupts.js';
import { add8, addSubWord, incDec8, logic8, mulResult, shift8, sub8 } from './alu.js';
import { InlineOps, Op } from './inline-ops.js';
import { SREG_C, SREG_I } from './sreg.js';
import { widenCounters } from './wide-counters.js';
import { ATTINY824 } from '../../part/attiny824.js';
import { DATA_SPACE } from '../../part/tinyavr2.js';

export const SRAM_START = ATTINY824.sramStart;
export const SRAM_SIZE = ATTINY824.sramSize;
export const SP_RESET: number = DATA_SPACE.RAMEND;
export const IO_CCP = 0x34;
export const IO_SPL = 0x3d;
export const IO_SPH = 0x3e;
export const IO_SREG = 0x3f;
export const CCP_SPM = 0x9d;
export const CCP_IOREG = 0xd8;

/** Instructions a CCP key stays valid for (datasheet "Configuration Change Protection"). */
const CCP_WINDOW = 4;
/** Extra cycles when an interrupt wakes the core from sleep (datasheet CPUINT "Interrupt Response Time"). */
const WAKE_EXTRA_CYCLES = 5;
/** Cycles to push the return address on interrupt entry (16-bit PC). */
const INTERRUPT_ENTRY_CYCLES = 2;

/** Everything the core reaches in the data space besides its own registers and SRAM. */
export interface CpuBus {
  read(addr: number): number;
  write(addr: number, value: number): void;
  /** True if reading `addr` has no side effect and its value changes only at a clock event or by a write
   * (what lets a polling loop be fast-forwarded, and a straight run go on after the read); anything not known to
   * be so is false. */
  stable?(addr: number): boolean;
}

/** Callbacks from the core to the chip. */
export interface CpuHooks {
  /** SLEEP executed; return the mode the sleep controller puts the core in, or undefined (SLPCTRL.SEN clear). */
  sleep(): SleepMode | undefined;
  /** WDR executed. */
  watchdogReset(): void;
  /** An interrupt is about to be taken while the core sleeps. */
  wake(): void;
  /** An opcode this core does not implement (executed as a 1-cycle NOP). */
  illegalOpcode(wordAddress: number, opcode: number): void;
}

export type StopReason = 'break' | 'limit';
export type CcpKind = 'ioreg' | 'spm';

/** A pointer register pair (X, Y, Z) set to `value` (16 bits). */
function setPointer(regs: Uint8Array, p: number, value: number): void {
  regs[p] = value & 0xff;
  regs[p + 1] = (value >> 8) & 0xff;
}

export class Cpu implements Core {
  readonly regs = new Uint8Array(32);
  readonly sram = new Uint8Array(SRAM_SIZE);
  sreg = 0;
  sp = SP_RESET;
  /** Program counter in words. */
  pc = 0;
  /** CPU cycles spent not executing: asleep, and (counted by the chip) held in reset, starting up or stopped
   * — so `clock.cycles - sleepCycles` is the active count. */
  sleepCycles = 0;
  /** The asleep part of `sleepCycles` by mode, in SLPCTRL.SMODE order: IDLE, STANDBY, POWER-DOWN. */
  readonly sleepCyclesByMode = new Float64Array(3);
  sleeping = false;
  /** Index into `sleepCyclesByMode` of the mode the core sleeps in. */
  private sleepMode = 0;
  /** Set by BREAK; the run loop returns and stays stopped until `resume()` or a reset. */
  stopped = false;
  /** Instructions retired since reset. */
  instructions = 0;
  /** Opcodes executed that this core does not implement. */
  illegalOpcodes = 0;
  /** Set by SEI and RETI: the next instruction runs before any interrupt is taken. */
  interruptInhibit = false;
  /** Set by anything that may need the run loop's checks before the next instruction (bus access, SEI, SLEEP…). */
  attention = false;
  /** Counts everything with an effect beyond the registers: writes, unstable reads, interrupts, SLEEP, WDR…
   * (a polling loop is idle only while this stands still; idle-loop.ts). */
  effects = 0;
  /** Fast-forward through idle polling loops (on by default; off to compare). */
  fastForward = true;
  /** Cycles skipped by fast-forwarding (counted in `clock.cycles` as if executed). */
  fastForwardedCycles = 0;
  /** The cycle the current `run` stops at (idle loops never skip past it). */
  runLimit = 0;
  /** Execute known library routines natively (routines.ts; on by default, off to compare). */
  nativeRoutines = true;
  /** See Core.routineLimit: finite only during a straight run. */
  routineLimit = -Infinity;
  /** Routines executed natively so far (tests, bench). */
  nativeCalls = 0;
  /** Decoded-instruction cache, one entry per flash word. */
  readonly code: Exec[];
  readonly flashWords: number;
  private ccpKind: CcpKind | undefined;
  /** Instructions left in which a CCP key is valid (0 = none). */
  ccpCount = 0;
  private readonly lazy: Exec;
  /** The instructions the run loop executes inline (inline-ops.ts), decoded with their closures. */
  private readonly ops: InlineOps;
  /** All Op.CLOSURE: the kinds the run loop sees with `inlineOps` off. */
  private readonly noOps: Uint8Array;
  /** Execute the common instructions inline in the run loop (on by default, off to compare: every instruction
   * through its closure). */
  inlineOps = true;

  constructor(
    readonly flash: Uint8Array,
    readonly bus: CpuBus,
    readonly clock: SimClock,
    readonly interrupts: InterruptController,
    readonly hooks: CpuHooks,
    /** Byte address of the vector table when CPUINT.CTRLA.IVSEL is set (FUSE.BOOTEND × 256). */
    readonly bootEndBytes: () => number = () => 0,
  ) {
    this.flashWords = flash.length >> 1;
    this.ops = new InlineOps(this.flashWords);
    this.noOps = new Uint8Array(this.flashWords);
    this.lazy = (core: Core): number => {
      const f = decodeAt(core, core.pc);
      this.code[core.pc] = f;
      this.ops.decode(core, core.pc);
      return f(core);
    };
    this.code = new Array<Exec>(this.flashWords).fill(this.lazy);
    widenCounters(this, 'sleepCycles', 'instructions', 'effects', 'fastForwardedCycles', 'runLimit');
  }

  /** Forget decoded instructions (after any flash write). */
  invalidateCode(): void {
    this.code.fill(this.lazy);
    this.ops.clear();
  }

  /** Core state after any reset: PC 0, SP = RAMEND, SREG 0. Register and SRAM contents survive a reset. */
  reset(): void {
    this.pc = 0;
    this.sp = SP_RESET;
    this.sreg = 0;
    this.sleeping = false;
    this.stopped = false;
    this.interruptInhibit = false;
    this.ccpKind = undefined;
    this.ccpCount = 0;
    this.instructions = 0;
  }

  /** Flash word at a word address (wraps like the 12-bit PC of an 8 KB part). */
  progWord(wordAddr: number): number {
    const i = (wordAddr % this.flashWords) << 1;
    return this.flash[i]! | (this.flash[i + 1]! << 8);
  }

  get activeCycles(): number {
    return this.clock.cycles - this.sleepCycles;
  }

  // ---- data space -------------------------------------------------------------------------------------------

  read(addr: number): number {
    const s = addr - SRAM_START;
    if (s >= 0 && s < SRAM_SIZE) return this.sram[s]!;
    if (addr < 0x40 && addr >= IO_CCP) {
      if (addr === IO_SREG) return this.sreg;
      if (addr === IO_SPL) return this.sp & 0xff;
      if (addr === IO_SPH) return this.sp >> 8;
      if (addr === IO_CCP) return 0;
    }
    const a = addr & 0xffff;
    // A stable read has no side effect: nothing the run loop checks between instructions (events, interrupt
    // requests, sleep) can change, so the straight run goes on (GPIOR flags, status bits polled in a loop).
    if (this.bus.stable?.(a)) return this.bus.read(a);
    this.attention = true;
    this.effects++;
    return this.bus.read(a);
  }

  write(addr: number, value: number): void {
    this.effects++;
    const s = addr - SRAM_START;
    if (s >= 0 && s < SRAM_SIZE) {
      this.sram[s] = value;
      return;
    }
    this.attention = true;
    if (addr < 0x40 && addr >= IO_CCP) {
      if (addr === IO_SREG) {
        this.sreg = value & 0xff;
        return;
      }
      if (addr === IO_SPL) {
        this.sp = (this.sp & 0xff00) | (value & 0xff);
        return;
      }
      if (addr === IO_SPH) {
        this.sp = (this.sp & 0x00ff) | ((value & 0xff) << 8);
        return;
      }
      if (addr === IO_CCP) {
        this.writeCcp(value & 0xff);
        return;
      }
    }
    this.bus.write(addr & 0xffff, value & 0xff);
  }

  // ---- configuration change protection ------------------------------------------------------------------------

  private writeCcp(value: number): void {
    if (value === CCP_IOREG) this.ccpKind = 'ioreg';
    else if (value === CCP_SPM) this.ccpKind = 'spm';
    else return;
    // The writing instruction's own retirement counts down once; the next four instructions see the key.
    this.ccpCount = CCP_WINDOW + 1;
  }

  /** Whether a write to a protected register of this kind is allowed now (asked by the peripheral's write hook). */
  ccpOpen(kind: CcpKind): boolean {
    return this.ccpCount > 0 && this.ccpKind === kind;
  }

  // ---- stack ------------------------------------------------------------------------------------------------

  push(value: number): void {
    this.write(this.sp, value);
    this.sp = (this.sp - 1) & 0xffff;
  }

  pop(): number {
    this.sp = (this.sp + 1) & 0xffff;
    return this.read(this.sp);
  }

  pushPc(pc: number): void {
    this.push(pc & 0xff);
    this.push((pc >> 8) & 0xff);
  }

  popPc(): number {
    const hi = this.pop();
    const lo = this.pop();
    return ((hi << 8) | lo) % this.flashWords;
  }

  // ---- execution --------------------------------------------------------------------------------------------

  /** Enter an interrupt handler: AVRxt does not clear I; CPUINT records the level instead. */
  private enterInterrupt(vector: number): void {
    const clock = this.clock;
    this.effects++;
    if (this.sleeping) {
      this.sleeping = false;
      this.hooks.wake();
      clock.cycles += WAKE_EXTRA_CYCLES;
    }
    this.interrupts.acknowledge(vector);
    this.pushPc(this.pc);
    this.pc = this.interrupts.vectorWordAddress(vector, this.bootEndBytes());
    clock.cycles += INTERRUPT_ENTRY_CYCLES;
  }

  /**
   * Runs until the cycle count reaches `untilCycle`, a BREAK, a CPU frequency change, or `shouldStop()` (checked
   * after events fire). Sleeping skips straight to the next event.
   */
  run(untilCycle: number, shouldStop?: () => boolean): StopReason {
    const clock = this.clock;
    const ic = this.interrupts;
    const code = this.code;
    const epoch = clock.epoch;
    this.runLimit = untilCycle;
    while (!this.stopped) {
      if (clock.cycles >= clock.nextEventCycle) {
        clock.runDue();
        // A frequency change makes `untilCycle` stale: the caller recomputes it from its time target.
        if (clock.epoch !== epoch || shouldStop?.()) return 'limit';
        continue;
      }
      if (clock.cycles >= untilCycle) return 'limit';
      if (ic.ready && !this.interruptInhibit && this.ccpCount === 0 && (this.sreg & SREG_I || ic.nmiReady)) {
        this.enterInterrupt(ic.select());
        continue;
      }
      if (this.sleeping) {
        const target = Math.min(clock.nextEventCycle, untilCycle);
        this.sleepCycles += target - clock.cycles;
        this.sleepCyclesByMode[this.sleepMode]! += target - clock.cycles;
        clock.cycles = target;
        continue;
      }
      // (The instruction may move the clock itself — a halt for the NVM, a fast-forward — so its cycles are added
      // to the clock as it is afterwards.)
      if (this.ccpCount !== 0 || this.interruptInhibit) {
        // One instruction, then the checks again: a CCP window counts instructions, and after SEI or RETI a
        // pending interrupt is taken right after the next one.
        this.interruptInhibit = false;
        const cycles = code[this.pc]!(this);
        clock.cycles += cycles;
        this.instructions++;
        if (this.ccpCount !== 0) this.ccpCount--;
        continue;
      }
      // Nothing the checks above look at changes until an instruction raises `attention` (it reached the bus or
      // changed control state) or the next event or the end of the run comes.
      this.straightRun(untilCycle);
      this.routineLimit = -Infinity;
    }
    return 'break';
  }

  /**
   * Executes instructions until the clock reaches the next event or `untilCycle`, or an instruction raises
   * `attention` after which the run loop's checks have something to do. The kinds of inline-ops.ts run here, each
   * exactly as its closure in decoder.ts does (same helpers, same order); the rest call their closure. After an
   * instruction that raised `attention` the run loop's checks are made here, in its order, and when all of them
   * would lead straight back here (no event due, not the end, no interrupt to take, not asleep, no CCP window,
   * not stopped: an I/O access that changed none of that), the run goes on without returning; after SEI or RETI
   * the next instruction runs here as the run loop's single step would run it, then the checks again.
   */
  private straightRun(untilCycle: number): void {
    const clock = this.clock;
    const ic = this.interrupts;
    const code = this.code;
    const ops = this.ops;
    const kinds = this.inlineOps ? ops.kind : this.noOps;
    const A = ops.a;
    const B = ops.b;
    const C = ops.c;
    const next = ops.next;
    const target = ops.target;
    const regs = this.regs;
    const sram = this.sram;
    let limit = clock.nextEventCycle < untilCycle ? clock.nextEventCycle : untilCycle;
    /** The pass runs one instruction (the one after SEI or RETI). */
    let single = false;
    this.attention = false;
    this.routineLimit = limit;
    for (;;) {
      do {
        const pc = this.pc;
        let cycles = 1;
        switch (kinds[pc]) {
          case Op.LDI:
            regs[A[pc]!] = B[pc]!;
            this.pc = next[pc]!;
            break;
          case Op.MOV:
            regs[A[pc]!] = regs[B[pc]!]!;
            this.pc = next[pc]!;
            break;
          case Op.MOVW: {
            const d = A[pc]!;
            const r = B[pc]!;
            regs[d] = regs[r]!;
            regs[d + 1] = regs[r + 1]!;
            this.pc = next[pc]!;
            break;
          }
          case Op.ADD: {
            const d = A[pc]!;
            regs[d] = add8(this, regs[d]!, regs[B[pc]!]!, 0);
            this.pc = next[pc]!;
            break;
          }
          case Op.ADC: {
            const d = A[pc]!;
            regs[d] = add8(this, regs[d]!, regs[B[pc]!]!, this.sreg & SREG_C);
            this.pc = next[pc]!;
            break;
          }
          case Op.SUB: {
            const d = A[pc]!;
            regs[d] = sub8(this, regs[d]!, regs[B[pc]!]!, 0, false);
            this.pc = next[pc]!;
            break;
          }
          case Op.SBC: {
            const d = A[pc]!;
            regs[d] = sub8(this, regs[d]!, regs[B[pc]!]!, this.sreg & SREG_C, true);
            this.pc = next[pc]!;
            break;
          }
          case Op.CP:
            sub8(this, regs[A[pc]!]!, regs[B[pc]!]!, 0, false);
            this.pc = next[pc]!;
            break;
          case Op.CPC:
            sub8(this, regs[A[pc]!]!, regs[B[pc]!]!, this.sreg & SREG_C, true);
            this.pc = next[pc]!;
            break;
          case Op.CPI:
            sub8(this, regs[A[pc]!]!, B[pc]!, 0, false);
            this.pc = next[pc]!;
            break;
          case Op.SUBI: {
            const d = A[pc]!;
            regs[d] = sub8(this, regs[d]!, B[pc]!, 0, false);
            this.pc = next[pc]!;
            break;
          }
          case Op.SBCI: {
            const d = A[pc]!;
            regs[d] = sub8(this, regs[d]!, B[pc]!, this.sreg & SREG_C, true);
            this.pc = next[pc]!;
            break;
          }
          case Op.ANDI: {
            const d = A[pc]!;
            regs[d] = logic8(this, regs[d]! & B[pc]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.ORI: {
            const d = A[pc]!;
            regs[d] = logic8(this, regs[d]! | B[pc]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.AND: {
            const d = A[pc]!;
            regs[d] = logic8(this, regs[d]! & regs[B[pc]!]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.OR: {
            const d = A[pc]!;
            regs[d] = logic8(this, regs[d]! | regs[B[pc]!]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.EOR: {
            const d = A[pc]!;
            regs[d] = logic8(this, regs[d]! ^ regs[B[pc]!]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.MUL:
            mulResult(this, regs[A[pc]!]! * regs[B[pc]!]!, false);
            this.pc = next[pc]!;
            cycles = 2;
            break;
          case Op.LSR: {
            const d = A[pc]!;
            const v = regs[d]!;
            regs[d] = shift8(this, v >> 1, v & 1);
            this.pc = next[pc]!;
            break;
          }
          case Op.ROR: {
            const d = A[pc]!;
            const v = regs[d]!;
            regs[d] = shift8(this, (v >> 1) | ((this.sreg & SREG_C) << 7), v & 1);
            this.pc = next[pc]!;
            break;
          }
          case Op.DEC:
            incDec8(this, A[pc]!, -1);
            this.pc = next[pc]!;
            break;
          case Op.INC:
            incDec8(this, A[pc]!, 1);
            this.pc = next[pc]!;
            break;
          case Op.RJMP:
            this.pc = target[pc]!;
            cycles = 2;
            break;
          case Op.BRANCH:
            if (((this.sreg & A[pc]!) !== 0) === (B[pc] === 1)) {
              this.pc = target[pc]!;
              cycles = 2;
            } else this.pc = next[pc]!;
            break;
          case Op.SBRC:
            if ((regs[A[pc]!]! & B[pc]!) === 0) {
              this.pc = target[pc]!;
              cycles = C[pc]!;
            } else this.pc = next[pc]!;
            break;
          case Op.SBRS:
            if (regs[A[pc]!]! & B[pc]!) {
              this.pc = target[pc]!;
              cycles = C[pc]!;
            } else this.pc = next[pc]!;
            break;
          case Op.CPSE:
            if (regs[A[pc]!] === regs[B[pc]!]) {
              this.pc = target[pc]!;
              cycles = C[pc]!;
            } else this.pc = next[pc]!;
            break;
          case Op.RCALL:
            this.pushPc(next[pc]!);
            this.pc = target[pc]!;
            cycles = 2;
            break;
          case Op.RET:
            this.pc = this.popPc();
            cycles = 4;
            break;
          case Op.PUSH:
            this.push(regs[A[pc]!]!);
            this.pc = next[pc]!;
            break;
          case Op.POP:
            regs[A[pc]!] = this.pop();
            this.pc = next[pc]!;
            cycles = 2;
            break;
          case Op.LDD: {
            // SRAM directly; anything else (I/O, NVM) through the closure, which does the whole instruction.
            const p = B[pc]!;
            const s = ((regs[p]! | (regs[p + 1]! << 8)) + C[pc]! - SRAM_START) & 0xffff;
            if (s < SRAM_SIZE) {
              regs[A[pc]!] = sram[s]!;
              this.pc = next[pc]!;
              cycles = 2;
            } else cycles = code[pc]!(this);
            break;
          }
          case Op.STD: {
            const p = B[pc]!;
            const s = ((regs[p]! | (regs[p + 1]! << 8)) + C[pc]! - SRAM_START) & 0xffff;
            if (s < SRAM_SIZE) {
              this.effects++;
              sram[s] = regs[A[pc]!]!;
              this.pc = next[pc]!;
            } else cycles = code[pc]!(this);
            break;
          }
          case Op.LDP:
          case Op.LDM:
          case Op.STP:
          case Op.STM: {
            // SRAM directly, as LDD/STD, in the closures' order (a pre-decrement moves the pointer before the access,
            // a post-increment after it); anything else through the closure.
            const kind = kinds[pc]!;
            const p = B[pc]!;
            const post = kind === Op.LDP || kind === Op.STP;
            const ptr = regs[p]! | (regs[p + 1]! << 8);
            const a = post ? ptr : (ptr - 1) & 0xffff;
            const s = a - SRAM_START;
            if (s >= 0 && s < SRAM_SIZE) {
              if (!post) setPointer(regs, p, a);
              if (kind === Op.STP || kind === Op.STM) {
                this.effects++;
                sram[s] = regs[A[pc]!]!;
              } else {
                regs[A[pc]!] = sram[s]!;
                cycles = 2;
              }
              if (post) setPointer(regs, p, a + 1);
              this.pc = next[pc]!;
            } else cycles = code[pc]!(this);
            break;
          }
          case Op.ADIW: {
            const p = A[pc]!;
            const R = addSubWord(this, regs[p]! | (regs[p + 1]! << 8), B[pc]!, C[pc] === 1);
            regs[p] = R & 0xff;
            regs[p + 1] = (R >> 8) & 0xff;
            this.pc = next[pc]!;
            cycles = 2;
            break;
          }
          case Op.BCLR:
            this.sreg &= ~A[pc]!;
            this.pc = next[pc]!;
            break;
          case Op.LDS:
            regs[A[pc]!] = this.read(target[pc]!);
            this.pc = next[pc]!;
            cycles = C[pc]!;
            break;
          case Op.STS:
            this.write(target[pc]!, regs[A[pc]!]!);
            this.pc = next[pc]!;
            cycles = 2;
            break;
          case Op.IN:
            regs[A[pc]!] = this.read(target[pc]!);
            this.pc = next[pc]!;
            break;
          case Op.OUT:
            this.write(target[pc]!, regs[A[pc]!]!);
            this.pc = next[pc]!;
            break;
          case Op.CBI: {
            const io = target[pc]!;
            this.write(io, this.read(io) & ~B[pc]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.SBI: {
            const io = target[pc]!;
            this.write(io, this.read(io) | B[pc]!);
            this.pc = next[pc]!;
            break;
          }
          case Op.SBIC:
            if ((this.read(A[pc]!) & B[pc]!) === 0) {
              this.pc = target[pc]!;
              cycles = C[pc]!;
            } else this.pc = next[pc]!;
            break;
          case Op.SBIS:
            if (this.read(A[pc]!) & B[pc]!) {
              this.pc = target[pc]!;
              cycles = C[pc]!;
            } else this.pc = next[pc]!;
            break;
          default:
            cycles = code[pc]!(this);
        }
        clock.cycles += cycles;
        this.instructions++;
      } while (!this.attention && clock.cycles < limit);
      // Only the last instruction can have written CCP; its own retirement counts (see writeCcp).
      if (this.attention) {
        if (this.ccpCount !== 0) this.ccpCount--;
      } else if (!single) return;
      single = false;
      const nextEvent = clock.nextEventCycle;
      if (this.stopped || clock.cycles >= nextEvent || clock.cycles >= untilCycle) return;
      if (this.sleeping || this.ccpCount !== 0) return;
      this.attention = false;
      if (this.interruptInhibit) {
        // The instruction after SEI or RETI, as the run loop's single step runs it (no native routine), then the
        // checks again: a pending interrupt is taken right after it.
        this.interruptInhibit = false;
        single = true;
        limit = -Infinity;
        this.routineLimit = -Infinity;
        continue;
      }
      if (ic.ready && (this.sreg & SREG_I || ic.nmiReady)) return;
      limit = nextEvent < untilCycle ? nextEvent : untilCycle;
      this.routineLimit = limit;
    }
  }

  /** Executes exactly one instruction (or one interrupt entry); returns the cycles it took. For tests. */
  step(): number {
    const before = this.clock.cycles;
    this.runLimit = -Infinity; // never fast-forward a single step
    const ic = this.interrupts;
    if (ic.ready && !this.interruptInhibit && this.ccpCount === 0 && (this.sreg & SREG_I || ic.nmiReady)) {
      this.enterInterrupt(ic.select());
    } else {
      this.interruptInhibit = false;
      const cycles = this.code[this.pc]!(this);
      this.clock.cycles += cycles;
      this.instructions++;
      if (this.ccpCount !== 0) this.ccpCount--;
    }
    return this.clock.cycles - before;
  }

  /** Called by the SLEEP instruction. */
  executeSleep(): void {
    this.attention = true;
    this.effects++;
    const mode = this.hooks.sleep();
    if (mode === undefined) return;
    this.sleeping = true;
    this.sleepMode = mode === 'idle' ? 0 : mode === 'standby' ? 1 : 2;
  }

  /** Called by the RETI instruction. */
  executeReti(): void {
    this.attention = true;
    this.effects++;
    this.interrupts.returnFromInterrupt();
    this.interruptInhibit = true;
  }

  executeBreak(): void {
    this.attention = true;
    this.effects++;
    this.stopped = true;
  }

  resume(): void {
    this.stopped = false;
  }

  executeIllegal(wordAddress: number, opcode: number): void {
    this.attention = true;
    this.effects++;
    this.illegalOpcodes++;
    this.hooks.illegalOpcode(wordAddress, opcode);
  }

  setWatchdogReset(): void {
    this.attention = true;
    this.effects++;
    this.hooks.watchdogReset();
  }
}
