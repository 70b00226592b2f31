// The instructions the CPU loop executes inline, without calling their decoded closure: the register-only
// arithmetic and moves, unwatched jumps and branches, skips, calls, returns, the stack and SRAM loads and stores
// through Y and Z — together about nine in ten instructions of the firmware. Calling a closure per instruction
// costs ~16 ns on the machines we measured (the call itself, whatever the instruction does); a switch over a
// small kind number in the loop costs ~4. Each kind is decoded here from the same opcode fields as decoder.ts,
// and cpu.ts executes it with the same ALU helpers and core methods as the closure, so the result is the
// same; anything not listed (I/O, SLEEP, SEI, watched loop branches, a native routine's entry…) stays kind
// CLOSURE and runs its closure. `Cpu.inlineOps` off runs every instruction through its closure (to compare).

import type { Core } from './core.js';
import { isTwoWord, nvmCycles } from './decoder.js';
import { WATCHED_LOOP_WORDS } from './idle-loop.js';
import { isNativeRoutineEntry } from './routines.js';

export const enum Op {
  CLOSURE = 0,
  LDI,
  MOV,
  MOVW,
  ADD,
  ADC,
  SUB,
  SBC,
  CP,
  CPC,
  CPI,
  SUBI,
  SBCI,
  ANDI,
  ORI,
  AND,
  OR,
  EOR,
  MUL,
  LSR,
  ROR,
  DEC,
  INC,
  RJMP,
  /** BRBS / BRBC: a = SREG mask, b = 1 to branch when set, target. */
  BRANCH,
  /** SBRC / SBRS / CPSE: a = register, b = mask or second register, target = skip address, c = skip cycles. */
  SBRC,
  SBRS,
  CPSE,
  RCALL,
  RET,
  PUSH,
  POP,
  /** LDD / STD (and LD / ST without displacement) through Y or Z: a = register, b = pointer register, c = q. */
  LDD,
  STD,
  /** CLC, CLZ, … CLI: a = the SREG mask. */
  BCLR,
  /** LD / ST with post-increment (P) or pre-decrement (M) through X, Y or Z: a = register, b = pointer register. */
  LDP,
  LDM,
  STP,
  STM,
  /** ADIW / SBIW: a = low register of the pair, b = K, c = 1 for SBIW. */
  ADIW,
  /** LDS / STS: a = register, target = data address, c = cycles (LDS), next = the word after the address. */
  LDS,
  STS,
  /** IN / OUT: a = register, target = I/O address. */
  IN,
  OUT,
  /** CBI / SBI / SBIC / SBIS: target = I/O address, b = bit mask (skips: c = skip cycles, next… as SBRC). */
  CBI,
  SBI,
  SBIC,
  SBIS,
}

/** The pointer register of a load/store in the 0x9000 block by its low nibble: 1, 2 Z; 9, A Y; C, D, E X. */
const POINTER_OF_LOW: readonly (number | undefined)[] = [
  undefined, 30, 30, undefined, undefined, undefined, undefined, undefined,
  undefined, 28, 28, undefined, 26, 26, 26, undefined,
];

/** CPI, SBCI, SUBI, ORI, ANDI: opcodes 0x3xxx–0x7xxx. */
const IMMEDIATE_KINDS: readonly Op[] = [Op.CPI, Op.SBCI, Op.SUBI, Op.ORI, Op.ANDI];

/** Decoded operands of the inline instructions, one entry per flash word (kind CLOSURE = not inline). */
export class InlineOps {
  readonly kind: Uint8Array;
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly c: Uint8Array;
  /** The next instruction's word address (pc + 1). */
  readonly next: Uint16Array;
  /** Jump, branch, call or skip target (word address). */
  readonly target: Uint16Array;

  constructor(words: number) {
    this.kind = new Uint8Array(words);
    this.a = new Uint8Array(words);
    this.b = new Uint8Array(words);
    this.c = new Uint8Array(words);
    this.next = new Uint16Array(words);
    this.target = new Uint16Array(words);
  }

  /** Forget every decoded instruction (a flash write). */
  clear(): void {
    this.kind.fill(Op.CLOSURE);
  }

  /** Decodes the instruction at word address `pc` (called when its closure is decoded). */
  decode(cpu: Core, pc: number): void {
    const op = cpu.progWord(pc);
    const words = cpu.flashWords;
    this.next[pc] = (pc + 1) % words;
    const kind = isNativeRoutineEntry(cpu, pc) ? Op.CLOSURE : this.kindOf(cpu, pc, op);
    this.kind[pc] = kind;
  }

  private set(pc: number, a: number, b = 0, c = 0): void {
    this.a[pc] = a;
    this.b[pc] = b;
    this.c[pc] = c;
  }

  /** The kind of `op` at `pc`, its operands stored; Op.CLOSURE for everything not inline. */
  private kindOf(cpu: Core, pc: number, op: number): Op {
    const words = cpu.flashWords;
    const d5 = (op >> 4) & 0x1f;
    const r5 = (op & 0x0f) | ((op >> 5) & 0x10);
    const d4 = 16 + ((op >> 4) & 0x0f);
    const K8 = ((op >> 4) & 0xf0) | (op & 0x0f);
    const skip = (): void => {
      const next = (pc + 1) % words;
      const skipTo = (pc + 2 + (isTwoWord(cpu.progWord(next)) ? 1 : 0)) % words;
      this.target[pc] = skipTo;
      this.c[pc] = skipTo === (pc + 2) % words ? 2 : 3;
    };
    switch (op >> 12) {
      case 0x0: {
        if (op === 0) return Op.CLOSURE;
        const sel = (op >> 10) & 3;
        if (sel === 0) {
          if (((op >> 8) & 3) !== 1) return Op.CLOSURE;
          this.set(pc, ((op >> 4) & 0xf) * 2, (op & 0xf) * 2);
          return Op.MOVW;
        }
        this.set(pc, d5, r5);
        return sel === 1 ? Op.CPC : sel === 2 ? Op.SBC : Op.ADD;
      }
      case 0x1: {
        const sel = (op >> 10) & 3;
        this.set(pc, d5, r5);
        if (sel === 0) {
          skip();
          return Op.CPSE;
        }
        return sel === 1 ? Op.CP : sel === 2 ? Op.SUB : Op.ADC;
      }
      case 0x2: {
        const sel = (op >> 10) & 3;
        this.set(pc, d5, r5);
        return sel === 0 ? Op.AND : sel === 1 ? Op.EOR : sel === 2 ? Op.OR : Op.MOV;
      }
      case 0x3:
      case 0x4:
      case 0x5:
      case 0x6:
      case 0x7:
        this.set(pc, d4, K8);
        return IMMEDIATE_KINDS[(op >> 12) - 3]!;
      case 0x8:
      case 0xa: {
        const q = (op & 7) | ((op >> 7) & 0x18) | ((op >> 8) & 0x20);
        this.set(pc, d5, op & 0x08 ? 28 : 30, q);
        return op & 0x0200 ? Op.STD : Op.LDD;
      }
      case 0x9:
        return this.kind9(cpu, pc, op, d5, r5, skip);
      case 0xb:
        this.set(pc, d5);
        this.target[pc] = (op & 0x0f) | ((op >> 5) & 0x30);
        return op & 0x0800 ? Op.OUT : Op.IN;
      case 0xc: {
        const k = (op << 20) >> 20;
        if (k < 0 && k >= -WATCHED_LOOP_WORDS) return Op.CLOSURE; // the idle-loop watcher lives in the closure
        this.target[pc] = (((pc + 1 + k) % words) + words) % words;
        return Op.RJMP;
      }
      case 0xd:
        this.target[pc] = (((pc + 1 + ((op << 20) >> 20)) % words) + words) % words;
        return Op.RCALL;
      case 0xe:
        this.set(pc, d4, K8);
        return Op.LDI;
      default: {
        // 0xF: branches, BLD/BST, SBRC/SBRS
        if ((op & 0x0800) === 0) {
          const k = ((op << 22) >> 25) | 0;
          if (k < 0 && k >= -WATCHED_LOOP_WORDS) return Op.CLOSURE;
          this.target[pc] = (((pc + 1 + k) % words) + words) % words;
          this.set(pc, 1 << (op & 7), (op & 0x0400) === 0 ? 1 : 0);
          return Op.BRANCH;
        }
        if (op & 0x0008) return Op.CLOSURE;
        const sel = (op >> 9) & 3;
        if (sel < 2) return Op.CLOSURE; // BLD, BST
        this.set(pc, d5, 1 << (op & 7));
        skip();
        return sel === 2 ? Op.SBRC : Op.SBRS;
      }
    }
  }

  /** The 0x9xxx block: LDS, STS, POP, PUSH, LSR, ROR, DEC, INC, RET, BCLR, CBI, SBI, SBIC, SBIS, MUL. */
  private kind9(cpu: Core, pc: number, op: number, d5: number, r5: number, skip: () => void): Op {
    const group = (op >> 9) & 7;
    const low = op & 0xf;
    if ((group === 0 || group === 1) && low === 0) {
      const k = cpu.progWord((pc + 1) % cpu.flashWords);
      this.set(pc, d5, 0, 3 + nvmCycles(k));
      this.target[pc] = k;
      this.next[pc] = (pc + 2) % cpu.flashWords;
      return group === 0 ? Op.LDS : Op.STS;
    }
    if (group === 0 || group === 1) {
      const load = group === 0;
      this.set(pc, d5);
      if (low === 0xf) return load ? Op.POP : Op.PUSH;
      const pointer = POINTER_OF_LOW[low];
      if (pointer === undefined) return Op.CLOSURE; // LPM, ELPM, XCH, LAS, LAC, LAT, reserved
      this.set(pc, d5, pointer);
      const mode = low & 3; // 0 plain (X only here), 1 post-increment, 2 pre-decrement
      if (mode === 0) return load ? Op.LDD : Op.STD; // q = 0
      if (mode === 1) return load ? Op.LDP : Op.STP;
      return load ? Op.LDM : Op.STM;
    }
    if (group === 3) {
      this.set(pc, 24 + ((op >> 4) & 3) * 2, (op & 0x0f) | ((op >> 2) & 0x30), op & 0x0100 ? 1 : 0);
      return Op.ADIW;
    }
    if (group === 4 || group === 5) {
      const sel = (op >> 8) & 3;
      this.set(pc, 0, 1 << (op & 7));
      this.target[pc] = (op >> 3) & 0x1f;
      if (sel === 0) return Op.CBI;
      if (sel === 2) return Op.SBI;
      // The skip's target and cycles; the I/O address moves to `a` (target holds the skip address).
      this.a[pc] = (op >> 3) & 0x1f;
      skip();
      return sel === 1 ? Op.SBIC : Op.SBIS;
    }
    if (group === 2) {
      this.set(pc, d5);
      if (low === 0x3) return Op.INC;
      if (low === 0x6) return Op.LSR;
      if (low === 0x7) return Op.ROR;
      if (low === 0xa) return Op.DEC;
      if (op === 0x9508) return Op.RET;
      if (low === 0x8 && (op & 0xff00) === 0x9400 && op & 0x80) {
        this.set(pc, 1 << ((op >> 4) & 7));
        return Op.BCLR;
      }
      return Op.CLOSURE;
    }
    if (group >= 6) {
      this.set(pc, d5, r5);
      return Op.MUL;
    }
    return Op.CLOSURE;
  }
}
