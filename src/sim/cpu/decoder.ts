// Decodes one AVRxt instruction (the avrxmega3 instruction set of the tinyAVR 2-series) into a closure that
// executes it and returns its cycle count. Operands, the next PC and skip distances are resolved once, at
// decode time; the CPU caches the closure per flash word.
//
// Cycle counts are the AVRxt column of the AVR Instruction Set Manual (DS40002198): e.g. PUSH 1, POP 2, ST/STD 1,
// LD/LDD 2, LDS 3, STS 2, LPM 3, RCALL/ICALL 2, CALL 3, RET/RETI 4, RJMP/IJMP 2, JMP 3, ADIW/SBIW 2, MUL* 2,
// SBI/CBI 1, skips 1/2/3, branches 1/2. Loads from NVM in the data space (SIGROW, fuses, user row, EEPROM, mapped
// flash) take one extra cycle (manual note: "a minimum of one extra cycle must be added when accessing NVM").
//
// Not on this core (executed as a counted 1-cycle NOP): ELPM, EIJMP, EICALL, SPM, DES, XCH, LAS, LAC, LAT.

import type { Core, Exec } from './core.js';
import { add8, addSubWord, incDec8, logic8, mulResult, shift8, sub8 } from './alu.js';
import { LoopWatch, WATCHED_LOOP_WORDS } from './idle-loop.js';
import { nativeRoutineAt } from './routines.js';
import { SREG_C, SREG_H, SREG_I, SREG_N, SREG_S, SREG_T, SREG_V, SREG_Z } from './sreg.js';
import { ATTINY824 } from '../../part/attiny824.js';
import { DATA_SPACE } from '../../part/tinyavr2.js';


const X = 26;
const Y = 28;
const Z = 30;

export function isTwoWord(op: number): boolean {
  return (op & 0xfc0f) === 0x9000 || (op & 0xfe0c) === 0x940c;
}

// Data-space bounds of the NVM windows, copied to plain constants for this hot path.
const IO_END = DATA_SPACE.IO_END;
const SRAM_START = ATTINY824.sramStart;
const MAPPED_FLASH = DATA_SPACE.MAPPED_FLASH;

/** The extra cycle of a load from NVM in the data space. */
export function nvmCycles(addr: number): number {
  return addr >= IO_END && (addr < SRAM_START || addr >= MAPPED_FLASH) ? 1 : 0;
}

function pair(cpu: Core, r: number): number {
  return cpu.regs[r]! | (cpu.regs[r + 1]! << 8);
}

function setPair(cpu: Core, r: number, v: number): void {
  cpu.regs[r] = v & 0xff;
  cpu.regs[r + 1] = (v >> 8) & 0xff;
}

const s8 = (v: number): number => (v << 24) >> 24;

// ---- the decoder ------------------------------------------------------------------------------------------

/** Decodes the instruction at word address `pc` of the CPU's flash (the entry of a known library routine runs
 * the routine natively where it may: routines.ts). */
export function decodeAt(cpu: Core, pc: number): Exec {
  const plain = decodeInstructionAt(cpu, pc);
  return nativeRoutineAt(cpu, pc, plain) ?? plain;
}

/** Decodes the one instruction at word address `pc`. */
function decodeInstructionAt(cpu: Core, pc: number): Exec {
  const op = cpu.progWord(pc);
  const next = (pc + 1) % cpu.flashWords;
  const after = (pc + 2) % cpu.flashWords;
  // Skip instructions jump over the whole next instruction, one or two words.
  const skipTo = (pc + 2 + (isTwoWord(cpu.progWord(next)) ? 1 : 0)) % cpu.flashWords;
  const skipCycles = skipTo === (pc + 2) % cpu.flashWords ? 2 : 3;
  const d5 = (op >> 4) & 0x1f;
  const r5 = (op & 0x0f) | ((op >> 5) & 0x10);
  const d4 = 16 + ((op >> 4) & 0x0f);
  const K8 = ((op >> 4) & 0xf0) | (op & 0x0f);

  const illegal: Exec = (c) => {
    c.executeIllegal(pc, op);
    c.pc = next;
    return 1;
  };

  switch (op >> 12) {
    case 0x0: {
      if (op === 0) {
        return (c) => {
          c.pc = next;
          return 1;
        };
      }
      switch ((op >> 10) & 3) {
        case 0: {
          const sub = (op >> 8) & 3;
          if (sub === 1) {
            // MOVW Rd+1:Rd, Rr+1:Rr
            const d = ((op >> 4) & 0xf) * 2;
            const r = (op & 0xf) * 2;
            return (c) => {
              c.regs[d] = c.regs[r]!;
              c.regs[d + 1] = c.regs[r + 1]!;
              c.pc = next;
              return 1;
            };
          }
          if (sub === 2) {
            // MULS Rd, Rr (r16–r31), signed × signed
            const r = 16 + (op & 0xf);
            return (c) => {
              mulResult(c, s8(c.regs[d4]!) * s8(c.regs[r]!), false);
              c.pc = next;
              return 2;
            };
          }
          if (sub === 3) {
            // MULSU / FMUL / FMULS / FMULSU (r16–r23)
            const d = 16 + ((op >> 4) & 7);
            const r = 16 + (op & 7);
            const variant = ((op >> 6) & 2) | ((op >> 3) & 1);
            if (variant === 0) {
              return (c) => {
                mulResult(c, s8(c.regs[d]!) * c.regs[r]!, false);
                c.pc = next;
                return 2;
              };
            }
            if (variant === 1) {
              return (c) => {
                mulResult(c, c.regs[d]! * c.regs[r]!, true);
                c.pc = next;
                return 2;
              };
            }
            if (variant === 2) {
              return (c) => {
                mulResult(c, s8(c.regs[d]!) * s8(c.regs[r]!), true);
                c.pc = next;
                return 2;
              };
            }
            return (c) => {
              mulResult(c, s8(c.regs[d]!) * c.regs[r]!, true);
              c.pc = next;
              return 2;
            };
          }
          return illegal;
        }
        case 1: // CPC
          return (c) => {
            sub8(c, c.regs[d5]!, c.regs[r5]!, c.sreg & SREG_C, true);
            c.pc = next;
            return 1;
          };
        case 2: // SBC
          return (c) => {
            c.regs[d5] = sub8(c, c.regs[d5]!, c.regs[r5]!, c.sreg & SREG_C, true);
            c.pc = next;
            return 1;
          };
        default: // ADD (LSL when d = r)
          return (c) => {
            c.regs[d5] = add8(c, c.regs[d5]!, c.regs[r5]!, 0);
            c.pc = next;
            return 1;
          };
      }
    }
    case 0x1:
      switch ((op >> 10) & 3) {
        case 0: // CPSE
          return (c) => {
            if (c.regs[d5] === c.regs[r5]) {
              c.pc = skipTo;
              return skipCycles;
            }
            c.pc = next;
            return 1;
          };
        case 1: // CP
          return (c) => {
            sub8(c, c.regs[d5]!, c.regs[r5]!, 0, false);
            c.pc = next;
            return 1;
          };
        case 2: // SUB
          return (c) => {
            c.regs[d5] = sub8(c, c.regs[d5]!, c.regs[r5]!, 0, false);
            c.pc = next;
            return 1;
          };
        default: // ADC (ROL when d = r)
          return (c) => {
            c.regs[d5] = add8(c, c.regs[d5]!, c.regs[r5]!, c.sreg & SREG_C);
            c.pc = next;
            return 1;
          };
      }
    case 0x2:
      switch ((op >> 10) & 3) {
        case 0: // AND (TST when d = r)
          return (c) => {
            c.regs[d5] = logic8(c, c.regs[d5]! & c.regs[r5]!);
            c.pc = next;
            return 1;
          };
        case 1: // EOR (CLR when d = r)
          return (c) => {
            c.regs[d5] = logic8(c, c.regs[d5]! ^ c.regs[r5]!);
            c.pc = next;
            return 1;
          };
        case 2: // OR
          return (c) => {
            c.regs[d5] = logic8(c, c.regs[d5]! | c.regs[r5]!);
            c.pc = next;
            return 1;
          };
        default: // MOV
          return (c) => {
            c.regs[d5] = c.regs[r5]!;
            c.pc = next;
            return 1;
          };
      }
    case 0x3: // CPI
      return (c) => {
        sub8(c, c.regs[d4]!, K8, 0, false);
        c.pc = next;
        return 1;
      };
    case 0x4: // SBCI
      return (c) => {
        c.regs[d4] = sub8(c, c.regs[d4]!, K8, c.sreg & SREG_C, true);
        c.pc = next;
        return 1;
      };
    case 0x5: // SUBI
      return (c) => {
        c.regs[d4] = sub8(c, c.regs[d4]!, K8, 0, false);
        c.pc = next;
        return 1;
      };
    case 0x6: // ORI / SBR
      return (c) => {
        c.regs[d4] = logic8(c, c.regs[d4]! | K8);
        c.pc = next;
        return 1;
      };
    case 0x7: // ANDI / CBR
      return (c) => {
        c.regs[d4] = logic8(c, c.regs[d4]! & K8);
        c.pc = next;
        return 1;
      };
    case 0x8:
    case 0xa: {
      // LDD / STD with displacement (LD/ST Y and Z without displacement are q = 0)
      const q = (op & 7) | ((op >> 7) & 0x18) | ((op >> 8) & 0x20);
      const base = op & 0x08 ? Y : Z;
      if (op & 0x0200) {
        return (c) => {
          c.write((pair(c, base) + q) & 0xffff, c.regs[d5]!);
          c.pc = next;
          return 1;
        };
      }
      return (c) => {
        const a = (pair(c, base) + q) & 0xffff;
        c.regs[d5] = c.read(a);
        c.pc = next;
        return 2 + nvmCycles(a);
      };
    }
    case 0x9:
      return decode9(cpu, op, next, after, skipTo, skipCycles, illegal);
    case 0xb: {
      // IN / OUT: I/O address A maps to data address A on this core
      const A = (op & 0x0f) | ((op >> 5) & 0x30);
      if (op & 0x0800) {
        return (c) => {
          c.write(A, c.regs[d5]!);
          c.pc = next;
          return 1;
        };
      }
      return (c) => {
        c.regs[d5] = c.read(A);
        c.pc = next;
        return 1;
      };
    }
    case 0xc: {
      // RJMP
      const k = (op << 20) >> 20;
      const target = (((pc + 1 + k) % cpu.flashWords) + cpu.flashWords) % cpu.flashWords;
      if (k < 0 && k >= -WATCHED_LOOP_WORDS) {
        const watch = new LoopWatch();
        return (c) => {
          watch.taken(c, 2);
          c.pc = target;
          return 2;
        };
      }
      return (c) => {
        c.pc = target;
        return 2;
      };
    }
    case 0xd: {
      // RCALL
      const target = (((pc + 1 + ((op << 20) >> 20)) % cpu.flashWords) + cpu.flashWords) % cpu.flashWords;
      return (c) => {
        c.pushPc(next);
        c.pc = target;
        return 2;
      };
    }
    case 0xe: // LDI
      return (c) => {
        c.regs[d4] = K8;
        c.pc = next;
        return 1;
      };
    default: {
      // 0xF: branches, BLD/BST, SBRC/SBRS
      const bit = op & 7;
      const mask = 1 << bit;
      if ((op & 0x0800) === 0) {
        const k = ((op << 22) >> 25) | 0;
        const target = (((pc + 1 + k) % cpu.flashWords) + cpu.flashWords) % cpu.flashWords;
        const ifSet = (op & 0x0400) === 0; // BRBS when bit 10 is clear, BRBC when set
        if (k < 0 && k >= -WATCHED_LOOP_WORDS) {
          const watch = new LoopWatch();
          return (c) => {
            if (((c.sreg & mask) !== 0) === ifSet) {
              watch.taken(c, 2);
              c.pc = target;
              return 2;
            }
            c.pc = next;
            return 1;
          };
        }
        return (c) => {
          if (((c.sreg & mask) !== 0) === ifSet) {
            c.pc = target;
            return 2;
          }
          c.pc = next;
          return 1;
        };
      }
      if (op & 0x0008) return illegal;
      switch ((op >> 9) & 3) {
        case 0: // BLD
          return (c) => {
            c.regs[d5] = c.sreg & SREG_T ? c.regs[d5]! | mask : c.regs[d5]! & ~mask;
            c.pc = next;
            return 1;
          };
        case 1: // BST
          return (c) => {
            c.sreg = c.regs[d5]! & mask ? c.sreg | SREG_T : c.sreg & ~SREG_T;
            c.pc = next;
            return 1;
          };
        case 2: // SBRC
          return (c) => {
            if ((c.regs[d5]! & mask) === 0) {
              c.pc = skipTo;
              return skipCycles;
            }
            c.pc = next;
            return 1;
          };
        default: // SBRS
          return (c) => {
            if (c.regs[d5]! & mask) {
              c.pc = skipTo;
              return skipCycles;
            }
            c.pc = next;
            return 1;
          };
      }
    }
  }
}

/** The 0x9xxx block: loads/stores, one-operand ALU, jumps/calls, SREG bit ops, ADIW/SBIW, I/O bit ops, MUL. */
function decode9(
  cpu: Core,
  op: number,
  next: number,
  after: number,
  skipTo: number,
  skipCycles: number,
  illegal: Exec,
): Exec {
  const d5 = (op >> 4) & 0x1f;
  const r5 = (op & 0x0f) | ((op >> 5) & 0x10);
  const group = (op >> 9) & 7;

  if (group === 0) {
    // 1001 000d dddd xxxx: loads, LPM, POP
    switch (op & 0xf) {
      case 0x0: {
        const k = cpu.progWord(next);
        return (c) => {
          c.regs[d5] = c.read(k);
          c.pc = after;
          return 3 + nvmCycles(k);
        };
      }
      case 0x1:
        return ldPost(d5, Z, next);
      case 0x2:
        return ldPre(d5, Z, next);
      case 0x4: // LPM Rd, Z
        return (c) => {
          c.regs[d5] = c.flash[pair(c, Z) % c.flash.length]!;
          c.pc = next;
          return 3;
        };
      case 0x5: // LPM Rd, Z+
        return (c) => {
          const z = pair(c, Z);
          c.regs[d5] = c.flash[z % c.flash.length]!;
          setPair(c, Z, z + 1);
          c.pc = next;
          return 3;
        };
      case 0x9:
        return ldPost(d5, Y, next);
      case 0xa:
        return ldPre(d5, Y, next);
      case 0xc:
        return (c) => {
          const a = pair(c, X);
          c.regs[d5] = c.read(a);
          c.pc = next;
          return 2 + nvmCycles(a);
        };
      case 0xd:
        return ldPost(d5, X, next);
      case 0xe:
        return ldPre(d5, X, next);
      case 0xf: // POP
        return (c) => {
          c.regs[d5] = c.pop();
          c.pc = next;
          return 2;
        };
      default: // ELPM (0x6, 0x7) and reserved
        return illegal;
    }
  }
  if (group === 1) {
    // 1001 001r rrrr xxxx: stores, PUSH
    switch (op & 0xf) {
      case 0x0: {
        const k = cpu.progWord(next);
        return (c) => {
          c.write(k, c.regs[d5]!);
          c.pc = after;
          return 2;
        };
      }
      case 0x1:
        return stPost(d5, Z, next);
      case 0x2:
        return stPre(d5, Z, next);
      case 0x9:
        return stPost(d5, Y, next);
      case 0xa:
        return stPre(d5, Y, next);
      case 0xc:
        return (c) => {
          c.write(pair(c, X), c.regs[d5]!);
          c.pc = next;
          return 1;
        };
      case 0xd:
        return stPost(d5, X, next);
      case 0xe:
        return stPre(d5, X, next);
      case 0xf: // PUSH
        return (c) => {
          c.push(c.regs[d5]!);
          c.pc = next;
          return 1;
        };
      default: // XCH, LAS, LAC, LAT (AVRxm only) and reserved
        return illegal;
    }
  }
  if (group === 2) {
    // 1001 010x xxxx xxxx: one-operand ALU, jumps, calls, misc
    const low = op & 0xf;
    switch (low) {
      case 0x0: // COM
        return (c) => {
          const R = ~c.regs[d5]! & 0xff;
          let s = (c.sreg & (SREG_I | SREG_T | SREG_H)) | SREG_C;
          if (R & 0x80) s |= SREG_N | SREG_S;
          if (R === 0) s |= SREG_Z;
          c.sreg = s;
          c.regs[d5] = R;
          c.pc = next;
          return 1;
        };
      case 0x1: // NEG
        return (c) => {
          const d = c.regs[d5]!;
          const R = -d & 0xff;
          let s = c.sreg & (SREG_I | SREG_T);
          if ((R | d) & 0x08) s |= SREG_H;
          if (R === 0x80) s |= SREG_V;
          if (R & 0x80) s |= SREG_N;
          if (!(R & 0x80) !== !(R === 0x80)) s |= SREG_S;
          if (R === 0) s |= SREG_Z;
          else s |= SREG_C;
          c.sreg = s;
          c.regs[d5] = R;
          c.pc = next;
          return 1;
        };
      case 0x2: // SWAP
        return (c) => {
          const d = c.regs[d5]!;
          c.regs[d5] = ((d << 4) | (d >> 4)) & 0xff;
          c.pc = next;
          return 1;
        };
      case 0x3: // INC
        return (c) => incDec(c, d5, 1, next);
      case 0x5: // ASR
        return (c) => {
          const d = c.regs[d5]!;
          c.regs[d5] = shift8(c, (d >> 1) | (d & 0x80), d & 1);
          c.pc = next;
          return 1;
        };
      case 0x6: // LSR
        return (c) => {
          const d = c.regs[d5]!;
          c.regs[d5] = shift8(c, d >> 1, d & 1);
          c.pc = next;
          return 1;
        };
      case 0x7: // ROR
        return (c) => {
          const d = c.regs[d5]!;
          c.regs[d5] = shift8(c, (d >> 1) | ((c.sreg & SREG_C) << 7), d & 1);
          c.pc = next;
          return 1;
        };
      case 0xa: // DEC
        return (c) => incDec(c, d5, -1, next);
      case 0xc:
      case 0xd: {
        // JMP k
        const target = ((((op >> 3) & 0x3e) | (op & 1)) * 0x10000 + cpu.progWord(next)) % cpu.flashWords;
        return (c) => {
          c.pc = target;
          return 3;
        };
      }
      case 0xe:
      case 0xf: {
        // CALL k
        const target = ((((op >> 3) & 0x3e) | (op & 1)) * 0x10000 + cpu.progWord(next)) % cpu.flashWords;
        return (c) => {
          c.pushPc(after);
          c.pc = target;
          return 3;
        };
      }
      case 0x8:
        return decodeMisc(op, next, illegal);
      case 0x9:
        if (op === 0x9409) {
          // IJMP
          return (c) => {
            c.pc = pair(c, Z) % c.flashWords;
            return 2;
          };
        }
        if (op === 0x9509) {
          // ICALL
          return (c) => {
            c.pushPc(next);
            c.pc = pair(c, Z) % c.flashWords;
            return 2;
          };
        }
        return illegal; // EIJMP, EICALL
      default:
        return illegal; // DES (0xb) and reserved
    }
  }
  if (group === 3) {
    // ADIW / SBIW: 1001 011x KKdd KKKK
    const reg = 24 + ((op >> 4) & 3) * 2;
    const K = (op & 0x0f) | ((op >> 2) & 0x30);
    const sub = (op & 0x0100) !== 0;
    return (c) => {
      setPair(c, reg, addSubWord(c, pair(c, reg), K, sub));
      c.pc = next;
      return 2;
    };
  }
  if (group === 4 || group === 5) {
    // CBI / SBIC / SBI / SBIS on I/O 0x00–0x1F
    const A = (op >> 3) & 0x1f;
    const mask = 1 << (op & 7);
    switch ((op >> 8) & 3) {
      case 0:
        return (c) => {
          c.write(A, c.read(A) & ~mask);
          c.pc = next;
          return 1;
        };
      case 1:
        return (c) => {
          if ((c.read(A) & mask) === 0) {
            c.pc = skipTo;
            return skipCycles;
          }
          c.pc = next;
          return 1;
        };
      case 2:
        return (c) => {
          c.write(A, c.read(A) | mask);
          c.pc = next;
          return 1;
        };
      default:
        return (c) => {
          if (c.read(A) & mask) {
            c.pc = skipTo;
            return skipCycles;
          }
          c.pc = next;
          return 1;
        };
    }
  }
  // MUL Rd, Rr: 1001 11rd dddd rrrr
  return (c) => {
    mulResult(c, c.regs[d5]! * c.regs[r5]!, false);
    c.pc = next;
    return 2;
  };
}

/** 1001 010x xxxx 1000: BSET/BCLR, RET, RETI, SLEEP, BREAK, WDR, LPM (R0), SPM. */
function decodeMisc(op: number, next: number, illegal: Exec): Exec {
  if ((op & 0xff00) === 0x9400) {
    const bit = 1 << ((op >> 4) & 7);
    if (op & 0x80) {
      return (c) => {
        c.sreg &= ~bit;
        c.pc = next;
        return 1;
      };
    }
    if (bit === SREG_I) {
      // SEI: the instruction after SEI runs before any pending interrupt
      return (c) => {
        c.sreg |= SREG_I;
        c.interruptInhibit = true;
        c.attention = true;
        c.pc = next;
        return 1;
      };
    }
    return (c) => {
      c.sreg |= bit;
      c.pc = next;
      return 1;
    };
  }
  switch (op) {
    case 0x9508: // RET
      return (c) => {
        c.pc = c.popPc();
        return 4;
      };
    case 0x9518: // RETI (AVRxt: I untouched; CPUINT clears the executing level)
      return (c) => {
        c.pc = c.popPc();
        c.executeReti();
        return 4;
      };
    case 0x9588: // SLEEP
      return (c) => {
        c.pc = next;
        c.executeSleep();
        return 1;
      };
    case 0x9598: // BREAK
      return (c) => {
        c.pc = next;
        c.executeBreak();
        return 1;
      };
    case 0x95a8: // WDR
      return (c) => {
        c.pc = next;
        c.setWatchdogReset();
        return 1;
      };
    case 0x95c8: // LPM (R0 ← (Z))
      return (c) => {
        c.regs[0] = c.flash[pair(c, Z) % c.flash.length]!;
        c.pc = next;
        return 3;
      };
    default: // ELPM, SPM, SPM Z+ and reserved
      return illegal;
  }
}

function incDec(c: Core, d: number, delta: 1 | -1, next: number): number {
  incDec8(c, d, delta);
  c.pc = next;
  return 1;
}

function ldPost(d: number, ptr: number, next: number): Exec {
  return (c) => {
    const a = pair(c, ptr);
    c.regs[d] = c.read(a);
    setPair(c, ptr, a + 1);
    c.pc = next;
    return 2 + nvmCycles(a);
  };
}

function ldPre(d: number, ptr: number, next: number): Exec {
  return (c) => {
    const a = (pair(c, ptr) - 1) & 0xffff;
    setPair(c, ptr, a);
    c.regs[d] = c.read(a);
    c.pc = next;
    return 2 + nvmCycles(a);
  };
}

function stPost(r: number, ptr: number, next: number): Exec {
  return (c) => {
    const a = pair(c, ptr);
    c.write(a, c.regs[r]!);
    setPair(c, ptr, a + 1);
    c.pc = next;
    return 1;
  };
}

function stPre(r: number, ptr: number, next: number): Exec {
  return (c) => {
    const a = (pair(c, ptr) - 1) & 0xffff;
    setPair(c, ptr, a);
    c.write(a, c.regs[r]!);
    c.pc = next;
    return 1;
  };
}
