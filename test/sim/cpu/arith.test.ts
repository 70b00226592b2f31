// arith.c on the emulator: every line of output is recomputed here with C's integer semantics (BigInt for
// anything that could lose precision in a double) from the same operands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, runProgram } from './avr-program.js';

const EDGES = [
  0, 1, 2, 3, 10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe,
  0xffffffff, 0x12345678,
];
const N_RANDOM = 40;

const hex = (v: bigint | number, digits: number): string => {
  const bits = BigInt(digits * 4);
  const mask = (1n << bits) - 1n;
  return (BigInt(v) & mask).toString(16).padStart(digits, '0');
};
const signed = (v: number, bits: number): number => {
  const m = 2 ** bits;
  const x = ((v % m) + m) % m;
  return x >= m / 2 ? x - m : x;
};
/** C division and remainder (truncation toward zero). */
const cdiv = (a: number, b: number): bigint => BigInt(a) / BigInt(b);
const cmod = (a: number, b: number): bigint => BigInt(a) % BigInt(b);

function expectedLine(i: number, a: number, b: number): string {
  const a8 = a & 0xff;
  const b8 = b & 0xff;
  const b8nz = b8 || 1;
  const s8a = signed(a, 8);
  const s8b = signed(b, 8);
  const s8bnz = s8b === 0 ? 1 : s8b === -1 ? 3 : s8b;
  const a16 = a & 0xffff;
  const b16 = b & 0xffff;
  const b16nz = b16 || 1;
  const s16a = signed(a, 16);
  const s16b = signed(b, 16);
  const s16bnz = s16b === 0 ? 1 : s16b === -1 ? 3 : s16b;
  const bnz = b || 1;
  const sa = signed(a, 32);
  const sb = signed(b, 32);
  const sbnz = sb === 0 ? 1 : sb === -1 ? 3 : sb;
  const sh8 = b & 7;
  const sh16 = b & 15;
  const sh32 = b & 31;
  const v: string[] = [
    hex(i, 2),
    hex(a8 + b8, 2),
    hex(a8 - b8, 2),
    hex(a8 * b8, 4),
    hex(Math.floor(a8 / b8nz), 2),
    hex(a8 % b8nz, 2),
    hex(a8 << sh8, 2),
    hex(s8a * s8b, 4),
    hex(cdiv(s8a, s8bnz), 2),
    hex(cmod(s8a, s8bnz), 2),
    hex(s8a >> sh8, 2),
    hex(a16 + b16, 4),
    hex(BigInt(a16) * BigInt(b16), 4),
    hex(Math.floor(a16 / b16nz), 4),
    hex(a16 % b16nz, 4),
    hex(a16 << sh16, 4),
    hex(a16 >> sh16, 4),
    hex(s16a * s16b, 8),
    hex(cdiv(s16a, s16bnz), 4),
    hex(cmod(s16a, s16bnz), 4),
    hex(s16a >> sh16, 4),
    hex(BigInt(a) + BigInt(b), 8),
    hex(BigInt(a) - BigInt(b), 8),
    hex(BigInt(a) * BigInt(b), 8),
    hex(BigInt(a) / BigInt(bnz), 8),
    hex(BigInt(a) % BigInt(bnz), 8),
    hex(BigInt(a) << BigInt(sh32), 8),
    hex(BigInt(a) >> BigInt(sh32), 8),
    hex(cdiv(sa, sbnz), 8),
    hex(cmod(sa, sbnz), 8),
    hex(BigInt(sa) >> BigInt(sh32), 8),
    hex(BigInt(a) * BigInt(b), 16),
    hex(BigInt(sa) * BigInt(sb), 16),
  ];
  return v.join(' ');
}

function expectedOutput(): string[] {
  const lines: string[] = [];
  let i = 0;
  const n = EDGES.length;
  for (let k = 0; k < n; k++) lines.push(expectedLine(i++, EDGES[k]!, EDGES[n - 1 - k]!));
  for (let k = 0; k < n; k++) lines.push(expectedLine(i++, EDGES[k]!, EDGES[(k + 5) % n]!));
  let seed = 0x12345678;
  const lcg = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let k = 0; k < N_RANDOM; k++) {
    const a = lcg();
    let b = lcg();
    if (k & 1) b = b >>> (a & 31);
    lines.push(expectedLine(i++, a, b));
  }
  return lines;
}

test('8/16/32/64-bit integer arithmetic through libgcc matches C semantics computed on the host', async () => {
  const flash = await buildFixture('arith.c');
  const run = runProgram(flash, { seconds: 20 });
  assert.equal(run.result, 'break', `program did not finish; output so far:\n${run.text}`);
  const got = run.text.trimEnd().split('\n');
  assert.equal(got.pop(), 'END');
  const want = expectedOutput();
  assert.equal(got.length, want.length, 'line count');
  for (let k = 0; k < want.length; k++) assert.equal(got[k], want[k], `line ${k}`);
});
