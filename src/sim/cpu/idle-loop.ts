// Fast-forward through provably idle loops: a loop that polls something only an already-scheduled event can
// change (a flag set by an interrupt handler in SRAM or GPIOR, a peripheral status bit that changes at a clock
// event, or nothing at all, as in `for (;;) {}` waiting for the watchdog).
//
// Each short backward branch gets a watcher. When the branch is taken, the watcher compares what the core has
// done since the previous time it was taken. If in that whole iteration nothing was written (SRAM or I/O), no
// register was read that may change without a clock event or has a side effect (`CpuBus.stable`), no clock
// event fired, no interrupt was entered and nothing else with an effect happened (SLEEP, WDR, SEI, …: the
// core's `effects` counter), and the registers, SREG and SP are the same as at the previous time, then the next
// iteration is an exact repeat of this one — same path, same cycles — and so is every one after it, until the
// next clock event. The watcher then adds whole iterations at once, as many as fit before the next event (or
// the end of the run), so that every instruction boundary it skips lies before it: events, interrupts and the
// run's end happen at exactly the cycle they would without the fast-forward. Cycles and retired instructions
// are counted as if executed.
//
// A loop that never reaches a fixed point without effects (a counting delay loop) is given up after a few tries,
// so ordinary code pays almost nothing.

import type { Core } from './core.js';
import { widenCounters } from './wide-counters.js';

/** Backward branches at most this far (words) get a watcher: polling loops are a handful of instructions. */
export const WATCHED_LOOP_WORDS = 32;
/** Effect-free iterations whose state keeps changing before the watcher gives the loop up for good. */
const MAX_MISSES = 8;

export class LoopWatch {
  private cycles = -1;
  private instructions = 0;
  private effects = -1;
  private fired = -1;
  private readonly regs = new Uint8Array(32);
  private sreg = -1;
  private sp = -1;
  /** The state above belongs to the previous visit and that visit's iteration was effect-free too. */
  private valid = false;
  private misses = 0;

  constructor() {
    widenCounters(this, 'cycles', 'instructions', 'effects', 'fired');
  }

  /** The branch was taken (called before its own `branchCycles` are added to the clock). */
  taken(cpu: Core, branchCycles: number): void {
    if (this.misses >= MAX_MISSES || !cpu.fastForward) return;
    const clock = cpu.clock;
    const now = clock.cycles;
    const quiet = cpu.effects === this.effects && clock.fired === this.fired && cpu.ccpCount === 0;
    if (quiet && this.valid && this.sameState(cpu)) {
      const period = now - this.cycles;
      const limit = Math.min(clock.nextEventCycle, cpu.runLimit);
      // The loop head after this branch is at now + branchCycles; skip k iterations, keeping every boundary they
      // contain below the limit.
      const k = Math.floor((limit - 1 - (now + branchCycles)) / period);
      if (period > 0 && k > 0) {
        const instructions = cpu.instructions - this.instructions;
        clock.cycles += k * period;
        cpu.instructions += k * instructions;
        cpu.fastForwardedCycles += k * period;
      }
      this.cycles = clock.cycles;
      this.instructions = cpu.instructions;
      return;
    }
    if (quiet) {
      // An effect-free iteration that changed the state (or the first one seen): remember this state.
      if (this.valid) this.misses++;
      this.regs.set(cpu.regs);
      this.sreg = cpu.sreg;
      this.sp = cpu.sp;
      this.valid = true;
    } else {
      this.effects = cpu.effects;
      this.fired = clock.fired;
      this.valid = false;
    }
    this.cycles = now;
    this.instructions = cpu.instructions;
  }

  private sameState(cpu: Core): boolean {
    if (cpu.sreg !== this.sreg || cpu.sp !== this.sp) return false;
    const a = cpu.regs;
    const b = this.regs;
    for (let i = 31; i >= 0; i--) if (a[i] !== b[i]) return false;
    return true;
  }
}
