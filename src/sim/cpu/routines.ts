// Hot library routines executed natively: where the flash holds, word for word, a routine whose code is known
// (libgcc's __umulhisi3: 16 × 16 → 32-bit unsigned multiply, which __muluhisi3 and __mulsi3 call too — about
// a seventh of everything the firmware executes), the instruction at its entry runs the whole routine in one
// step, up to and including its final RET: the same registers, SREG, stack bytes, stack pointer, program
// counter, cycles and retired-instruction count as executing its instructions one by one, computed with the
// same ALU helpers the decoder uses (decoder.ts).
//
// Only where nothing could happen between its instructions: the routine touches nothing but registers and
// SRAM (no attention, no effect on peripherals), so inside a straight run of the CPU loop (cpu.ts) the only
// thing that could come between two of its instructions is the next clock event or the end of the run — so the
// shortcut is taken only if every instruction boundary inside the routine lies before that limit
// (`Core.routineLimit`, -Infinity outside straight runs: single steps, a CCP window, the instruction after SEI
// or RETI), its stack bytes are in SRAM and `Core.nativeRoutines` is on. Otherwise the entry instruction
// executes as itself and the routine runs instruction by instruction.

import type { Core, Exec } from './core.js';
import { add8, logic8, mulResult } from './alu.js';
import { SREG_C } from './sreg.js';
import { ATTINY824 } from '../../part/attiny824.js';

const SRAM_START = ATTINY824.sramStart;
const SRAM_END = ATTINY824.sramStart + ATTINY824.sramSize;

/**
 * __umulhisi3 as avr-gcc's libgcc builds it for cores with MUL (avrxmega3), r25:r22 = r27:r26 × r19:r18:
 *
 *   mul r26,r18 / movw r22,r0 / mul r27,r19 / movw r24,r0 / mul r26,r19 / rcall 1f / mul r27,r18
 *   1: add r23,r0 / adc r24,r1 / eor r1,r1 / adc r25,r1 / ret
 *
 * The tail from `1:` runs twice (the RCALL into it returns to the last MUL): 17 instructions, 28 cycles.
 */
export const UMULHISI3_WORDS: readonly number[] = [
  0x9fa2, 0x01b0, 0x9fb3, 0x01c0, 0x9fa3, 0xd001, 0x9fb2, 0x0d70, 0x1d81, 0x2411, 0x1d91, 0x9508,
];
const UMULHISI3_INSTRUCTIONS = 17;
const UMULHISI3_CYCLES = 28;
/** Cycles before the final RET (4 cycles): the last instruction boundary inside the routine. */
const UMULHISI3_INNER_CYCLES = UMULHISI3_CYCLES - 4;
/** Word offset of the MUL the inner RCALL returns to. */
const UMULHISI3_RETURN_OFFSET = 6;

/** True if the flash holds `words` from word address `pc`. */
function matches(cpu: Core, pc: number, words: readonly number[]): boolean {
  for (let i = 0; i < words.length; i++) if (cpu.progWord(pc + i) !== words[i]) return false;
  return true;
}

/** True if a natively executed routine starts at `pc`. */
export function isNativeRoutineEntry(cpu: Core, pc: number): boolean {
  return matches(cpu, pc, UMULHISI3_WORDS);
}

/**
 * The instruction at `pc` as the entry of a natively executed routine, or undefined when no known routine
 * starts there. `plain` is the entry instruction's own closure (taken when the shortcut may not be).
 */
export function nativeRoutineAt(cpu: Core, pc: number, plain: Exec): Exec | undefined {
  if (!isNativeRoutineEntry(cpu, pc)) return undefined;
  const inner = (pc + UMULHISI3_RETURN_OFFSET) % cpu.flashWords;
  return (c) => {
    const sp = c.sp;
    // The inner RCALL pushes at SP and SP−1; the final RET pops SP+1 and SP+2.
    if (!c.nativeRoutines || c.clock.cycles + UMULHISI3_INNER_CYCLES >= c.routineLimit || sp - 1 < SRAM_START || sp + 2 >= SRAM_END) {
      return plain(c);
    }
    umulhisi3(c, inner);
    c.nativeCalls++;
    c.instructions += UMULHISI3_INSTRUCTIONS - 1; // the run loop counts the entry instruction
    return UMULHISI3_CYCLES;
  };
}

/** The 17 instructions of __umulhisi3, the entry's RCALL return address being `inner` (words). */
function umulhisi3(c: Core, inner: number): void {
  const r = c.regs;
  mulResult(c, r[26]! * r[18]!, false);
  r[22] = r[0]!;
  r[23] = r[1]!;
  mulResult(c, r[27]! * r[19]!, false);
  r[24] = r[0]!;
  r[25] = r[1]!;
  mulResult(c, r[26]! * r[19]!, false);
  c.pushPc(inner);
  umulhisi3Tail(c);
  c.pc = c.popPc();
  mulResult(c, r[27]! * r[18]!, false);
  umulhisi3Tail(c);
  c.pc = c.popPc();
}

/** add r23,r0 / adc r24,r1 / eor r1,r1 / adc r25,r1 (the RET is the caller's). */
function umulhisi3Tail(c: Core): void {
  const r = c.regs;
  r[23] = add8(c, r[23]!, r[0]!, 0);
  r[24] = add8(c, r[24]!, r[1]!, c.sreg & SREG_C);
  r[1] = logic8(c, 0);
  r[25] = add8(c, r[25]!, r[1]!, c.sreg & SREG_C);
}
