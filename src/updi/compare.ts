/**
 * Comparing what was written with what reads back: the first differing byte, the VERIFY error that
 * names it, and the parts of the verify ranges that the page writes' own read-backs did not cover.
 */
import { UpdiError } from './errors.js';
import { hex, hex2 } from '../util/hex.js';
import type { VerifyRange } from './plan.js';

/** Index of the first byte where `b` differs from `a`, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A byte that reads back wrong: where (offset in the memory, data-space address) and what. */
export interface Mismatch {
  memory: string;
  offset: number;
  address: number;
  expected: number;
  actual: number;
}

export function verifyError(m: Mismatch): UpdiError {
  const { memory, offset, address, expected, actual } = m;
  return new UpdiError('VERIFY', `verify failed: ${memory} at offset ${hex(offset)} (data address ${hex(address)}) reads 0x${hex2(actual)}, expected 0x${hex2(expected)}`, {
    details: { memory, offset, address, expected, actual },
  });
}

/** The parts of verify ranges that no read-back already checked. */
export function subtractCovered(ranges: VerifyRange[], covered: { address: number; length: number }[]): VerifyRange[] {
  const out: VerifyRange[] = [];
  for (const r of ranges) {
    let start = 0;
    const end = r.expected.length;
    const inside = covered
      .filter((c) => overlaps(c.address, c.length, r.address, end))
      .sort((a, b) => a.address - b.address);
    for (const c of inside) {
      const cs = Math.max(0, c.address - r.address);
      if (cs > start) out.push(sub(r, start, cs));
      start = Math.max(start, c.address + c.length - r.address);
    }
    if (start < end) out.push(sub(r, start, end));
  }
  return out;
}

function sub(r: VerifyRange, from: number, to: number): VerifyRange {
  return { memory: r.memory, offset: r.offset + from, address: r.address + from, expected: r.expected.subarray(from, to) };
}

function overlaps(a: number, an: number, b: number, bn: number): boolean {
  return a < b + bn && b < a + an;
}
