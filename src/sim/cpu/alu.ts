// SREG arithmetic of the AVRxt instructions (decoder.ts builds its closures on these): each helper computes a
// result and writes SREG.

import type { Core } from './core.js';
import { SREG_C, SREG_H, SREG_I, SREG_N, SREG_S, SREG_T, SREG_V, SREG_Z } from './sreg.js';

export function add8(cpu: Core, d: number, r: number, c: number): number {
  const sum = d + r + c;
  const R = sum & 0xff;
  let s = cpu.sreg & (SREG_I | SREG_T);
  if ((d & 0xf) + (r & 0xf) + c > 0xf) s |= SREG_H;
  const v = (d ^ R) & (r ^ R) & 0x80;
  if (v) s |= SREG_V;
  if (R & 0x80) s |= SREG_N;
  if (!(R & 0x80) !== !v) s |= SREG_S;
  if (R === 0) s |= SREG_Z;
  if (sum > 0xff) s |= SREG_C;
  cpu.sreg = s;
  return R;
}

/** Subtract with optional carry; `chainZ` keeps Z only if it was set (SBC, SBCI, CPC). */
export function sub8(cpu: Core, d: number, r: number, c: number, chainZ: boolean): number {
  const diff = d - r - c;
  const R = diff & 0xff;
  const old = cpu.sreg;
  let s = old & (SREG_I | SREG_T);
  if ((d & 0xf) - (r & 0xf) - c < 0) s |= SREG_H;
  const v = (d ^ r) & (d ^ R) & 0x80;
  if (v) s |= SREG_V;
  if (R & 0x80) s |= SREG_N;
  if (!(R & 0x80) !== !v) s |= SREG_S;
  if (R === 0 && (!chainZ || old & SREG_Z)) s |= SREG_Z;
  if (diff < 0) s |= SREG_C;
  cpu.sreg = s;
  return R;
}

/** AND, OR, EOR and friends: V cleared, N/Z from the result, S = N; I, T, H, C kept. */
export function logic8(cpu: Core, R: number): number {
  let s = cpu.sreg & (SREG_I | SREG_T | SREG_H | SREG_C);
  if (R & 0x80) s |= SREG_N | SREG_S;
  if (R === 0) s |= SREG_Z;
  cpu.sreg = s;
  return R;
}

/** Shifts (LSR, ROR, ASR): C = bit shifted out, V = N xor C, S = N xor V. */
export function shift8(cpu: Core, R: number, carryOut: number): number {
  let s = cpu.sreg & (SREG_I | SREG_T | SREG_H);
  const n = R & 0x80 ? 1 : 0;
  const v = n ^ carryOut;
  if (carryOut) s |= SREG_C;
  if (n) s |= SREG_N;
  if (v) s |= SREG_V;
  if (n ^ v) s |= SREG_S;
  if (R === 0) s |= SREG_Z;
  cpu.sreg = s;
  return R;
}

/** MUL family: C = bit 15 of the (unshifted) product, Z from the 16-bit result written to r1:r0. */
export function mulResult(cpu: Core, product: number, shift: boolean): void {
  const p = product & 0xffff;
  const R = shift ? (p << 1) & 0xffff : p;
  let s = cpu.sreg & ~(SREG_C | SREG_Z) & 0xff;
  if (p & 0x8000) s |= SREG_C;
  if (R === 0) s |= SREG_Z;
  cpu.sreg = s;
  cpu.regs[0] = R & 0xff;
  cpu.regs[1] = R >> 8;
}

/** INC (delta 1) or DEC (delta −1) of register `d`: V on 0x7F→0x80 / 0x80→0x7F; C and H kept. */
export function incDec8(cpu: Core, d: number, delta: 1 | -1): void {
  const R = (cpu.regs[d]! + delta) & 0xff;
  let s = cpu.sreg & (SREG_I | SREG_T | SREG_H | SREG_C);
  const v = delta > 0 ? R === 0x80 : R === 0x7f;
  if (v) s |= SREG_V;
  if (R & 0x80) s |= SREG_N;
  if (!(R & 0x80) !== !v) s |= SREG_S;
  if (R === 0) s |= SREG_Z;
  cpu.sreg = s;
  cpu.regs[d] = R;
}

/** ADIW (sub false) / SBIW (sub true) on a 16-bit value `d` with K 0–63: returns the result, writes SREG (H kept). */
export function addSubWord(cpu: Core, d: number, K: number, sub: boolean): number {
  const R = (sub ? d - K : d + K) & 0xffff;
  let s = cpu.sreg & (SREG_I | SREG_T | SREG_H);
  const n = R & 0x8000;
  const v = sub ? d & 0x8000 && !n : !(d & 0x8000) && n;
  if (v) s |= SREG_V;
  if (n) s |= SREG_N;
  if (!n !== !v) s |= SREG_S;
  if (R === 0) s |= SREG_Z;
  if (sub ? n && !(d & 0x8000) : !n && d & 0x8000) s |= SREG_C;
  cpu.sreg = s;
  return R;
}
