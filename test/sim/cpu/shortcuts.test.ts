// The CPU loop's shortcuts against the plain interpreter, on a bare core: instructions executed inline in the run
// loop (cpu/inline-ops.ts) and libgcc's __umulhisi3 executed natively (cpu/routines.ts). Each case runs twice
// from the same state, shortcut on and off, and everything must agree: registers, SREG, SP, PC, SRAM, the bus,
// cycles, retired instructions, the effect counter and the instants at which clock events fired.
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareCore, prng } from './harness.js';
import { UMULHISI3_WORDS } from '../../../src/sim/cpu/routines.js';
import { ATTINY824 } from '../../../src/part/attiny824.js';

const SRAM_START = ATTINY824.sramStart;
const SRAM_SIZE = ATTINY824.sramSize;

interface Start {
  flash: number[];
  regs: number[];
  sreg: number;
  sp: number;
  sram: Uint8Array;
  pc: number;
  /** Cycles at which a clock event fires (it records the cycle and PC it saw). */
  events: number[];
  until: number;
}

function runOnce(start: Start, shortcut: 'inlineOps' | 'nativeRoutines', on: boolean) {
  const core = bareCore(start.flash);
  const cpu = core.cpu;
  cpu.inlineOps = shortcut === 'inlineOps' ? on : true;
  cpu.nativeRoutines = shortcut === 'nativeRoutines' ? on : false;
  cpu.regs.set(start.regs);
  cpu.sreg = start.sreg;
  cpu.sp = start.sp;
  cpu.sram.set(start.sram);
  cpu.pc = start.pc;
  const fired: number[][] = [];
  for (const at of start.events) core.clock.schedule(core.clock.timeOf(at), () => fired.push([core.clock.cycles, cpu.pc]));
  const result = cpu.run(start.until);
  return {
    result,
    regs: Array.from(cpu.regs),
    sreg: cpu.sreg,
    sp: cpu.sp,
    pc: cpu.pc,
    sram: createHash('sha1').update(cpu.sram).digest('hex'),
    bus: createHash('sha1').update(core.bus).digest('hex'),
    cycles: core.clock.cycles,
    instructions: cpu.instructions,
    effects: cpu.effects,
    fired,
    illegal: core.illegal,
    nativeCalls: cpu.nativeCalls,
  };
}

function compare(start: Start, shortcut: 'inlineOps' | 'nativeRoutines', where: string): ReturnType<typeof runOnce> {
  const on = runOnce(start, shortcut, true);
  const off = runOnce(start, shortcut, false);
  assert.deepEqual({ ...on, nativeCalls: 0 }, { ...off, nativeCalls: 0 }, where);
  assert.equal(off.nativeCalls, 0);
  return on;
}

const byte = (rnd: () => number): number => Math.floor(rnd() * 256);
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** An instruction word biased toward the kinds the loop executes inline (and what they fall back on). */
function instruction(rnd: () => number): number {
  const d = Math.floor(rnd() * 32);
  const r = Math.floor(rnd() * 32);
  const twoReg = (base: number) => base | ((r & 0x10) << 5) | (d << 4) | (r & 0xf);
  const imm = (base: number) => base | ((byte(rnd) & 0xf0) << 4) | ((d & 0xf) << 4) | (byte(rnd) & 0xf);
  const q = Math.floor(rnd() * 64);
  const disp = (base: number) => base | ((q & 0x20) << 8) | ((q & 0x18) << 7) | (q & 7) | (d << 4);
  const forward = (bits: number) => Math.floor(rnd() * bits);
  const kinds: (() => number)[] = [
    () => twoReg(0x0c00), // ADD
    () => twoReg(0x1c00), // ADC
    () => twoReg(0x1800), // SUB
    () => twoReg(0x0800), // SBC
    () => twoReg(0x1400), // CP
    () => twoReg(0x0400), // CPC
    () => twoReg(0x1000), // CPSE
    () => twoReg(0x2000), // AND
    () => twoReg(0x2400), // EOR
    () => twoReg(0x2800), // OR
    () => twoReg(0x2c00), // MOV
    () => twoReg(0x9c00), // MUL
    () => 0x0100 | (byte(rnd) & 0xff), // MOVW
    () => imm(0x3000), // CPI
    () => imm(0x4000), // SBCI
    () => imm(0x5000), // SUBI
    () => imm(0x6000), // ORI
    () => imm(0x7000), // ANDI
    () => imm(0xe000), // LDI
    () => 0x9406 | (d << 4), // LSR
    () => 0x9407 | (d << 4), // ROR
    () => 0x940a | (d << 4), // DEC
    () => 0x9403 | (d << 4), // INC
    () => 0x9488 | (Math.floor(rnd() * 8) << 4), // BCLR (CLI included)
    () => 0x920f | (d << 4), // PUSH
    () => 0x900f | (d << 4), // POP
    () => disp(0x8000 | (rnd() < 0.5 ? 0x08 : 0)), // LDD Y/Z
    () => disp(0x8200 | (rnd() < 0.5 ? 0x08 : 0)), // STD Y/Z
    () => 0xf000 | (forward(16) << 3) | Math.floor(rnd() * 8), // BRBS forward
    () => 0xf400 | (forward(16) << 3) | Math.floor(rnd() * 8), // BRBC forward
    () => 0xf000 | ((0x80 - 1 - forward(60)) << 3) | Math.floor(rnd() * 8), // BRBS backward (watched when short)
    () => 0xfc00 | (d << 4) | Math.floor(rnd() * 8), // SBRC
    () => 0xfe00 | (d << 4) | Math.floor(rnd() * 8), // SBRS
    () => 0xc000 | forward(24), // RJMP forward
    () => 0xc000 | (0x1000 - 1 - forward(60)), // RJMP backward
    () => 0xd000 | forward(24), // RCALL forward
    () => 0x9508, // RET
    () => 0x9478, // SEI
    () => 0x9588, // SLEEP (no event wakes a bare core: time runs to the end)
    () => 0xb000 | (Math.floor(rnd() * 0x800)), // IN / OUT
    () => 0x9000 | (d << 4), // LDS (the next word is its address)
    () => 0x9200 | (d << 4), // STS
    () => 0x9000 | (d << 4) | pick(rnd, [0x1, 0x2, 0x9, 0xa, 0xc, 0xd, 0xe]), // LD Z+, -Z, Y+, -Y, X, X+, -X
    () => 0x9200 | (d << 4) | pick(rnd, [0x1, 0x2, 0x9, 0xa, 0xc, 0xd, 0xe]), // ST …
    () => 0x9600 | (Math.floor(rnd() * 2) << 8) | (byte(rnd) & 0xff), // ADIW / SBIW
    () => 0x9800 | (Math.floor(rnd() * 4) << 8) | (Math.floor(rnd() * 32) << 3) | Math.floor(rnd() * 8), // CBI, SBIC, SBI, SBIS
    () => byte(rnd) | (byte(rnd) << 8), // anything
  ];
  return pick(rnd, kinds)();
}

test('instructions executed inline in the run loop give the same state, cycles and event instants as their closures (3000 random programs)', () => {
  const rnd = prng(0x1f1e);
  for (let i = 0; i < 3000; i++) {
    const flash = Array.from({ length: 200 }, () => instruction(rnd));
    const regs = Array.from({ length: 32 }, () => byte(rnd));
    // Pointers mostly into SRAM so loads and stores take the inline path; sometimes anywhere (the closure's path).
    for (const p of [26, 28, 30]) {
      if (rnd() < 0.8) {
        const a = SRAM_START + Math.floor(rnd() * SRAM_SIZE) - 32;
        regs[p] = a & 0xff;
        regs[p + 1] = a >> 8;
      }
    }
    const sram = new Uint8Array(SRAM_SIZE).map(() => byte(rnd));
    const sp = rnd() < 0.9 ? SRAM_START + 16 + Math.floor(rnd() * (SRAM_SIZE - 32)) : Math.floor(rnd() * 0x10000);
    const events = Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 600));
    const start: Start = { flash, regs, sreg: byte(rnd) & 0x7f, sp, sram, pc: Math.floor(rnd() * 20), events, until: 300 + Math.floor(rnd() * 400) };
    compare(start, 'inlineOps', `program ${i}`);
  }
});

test('__umulhisi3 executed natively equals the instructions: random operands, stack edges, events and run ends inside it', () => {
  const rnd = prng(0x3a11);
  const ENTRY = 64;
  // word 0: RCALL __umulhisi3; word 1: BREAK
  const flash = new Array<number>(ENTRY + UMULHISI3_WORDS.length).fill(0);
  flash[0] = 0xd000 | (ENTRY - 1);
  flash[1] = 0x9598;
  flash.splice(ENTRY, UMULHISI3_WORDS.length, ...UMULHISI3_WORDS);
  let native = 0;
  for (let i = 0; i < 4000; i++) {
    const regs = Array.from({ length: 32 }, () => byte(rnd));
    const edge = rnd();
    // SP near the ends of SRAM (the shortcut declines there) or anywhere in it.
    const sp = edge < 0.05 ? SRAM_START + Math.floor(rnd() * 4) : edge < 0.1 ? SRAM_START + SRAM_SIZE - 1 - Math.floor(rnd() * 4) : SRAM_START + 8 + Math.floor(rnd() * (SRAM_SIZE - 16));
    const sram = new Uint8Array(SRAM_SIZE).map(() => byte(rnd));
    const timing = rnd();
    // An event or the run's end somewhere in the routine (then it runs instruction by instruction), or far away.
    const events = timing < 0.3 ? [2 + Math.floor(rnd() * 32)] : [];
    const until = timing > 0.6 && timing < 0.8 ? 2 + Math.floor(rnd() * 32) : 1000;
    const start: Start = { flash, regs, sreg: byte(rnd), sp, sram, pc: 0, events, until };
    const on = compare(start, 'nativeRoutines', `case ${i}: sp=0x${sp.toString(16)} until=${until} events=${events.join(',')}`);
    assert.equal(on.illegal.length, 0);
    native += on.nativeCalls;
    if (on.result === 'break') {
      // r25:r22 = r27:r26 × r19:r18
      const product = (regs[26]! | (regs[27]! << 8)) * (regs[18]! | (regs[19]! << 8));
      if (sp >= SRAM_START + 2 && sp < SRAM_START + SRAM_SIZE - 2) {
        assert.equal((on.regs[22]! | (on.regs[23]! << 8) | (on.regs[24]! << 16)) + on.regs[25]! * 2 ** 24, product, `product, case ${i}`);
      }
    }
  }
  assert.ok(native > 2000, `${native} of 4000 calls ran natively`);
});
