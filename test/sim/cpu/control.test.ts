// control.c on the emulator: comparison results for every pair of edge values in six integer types, recursion,
// calls through function pointers, a jump-table switch and setjmp/longjmp — expectations computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, runProgram } from './avr-program.js';

const VALUES = [
  0, 1, -1, 2, -2, 127, -128, 128, 255, 256, 32767, -32768, 32768, 65535, 65536, 2147483647, -2147483648, 1000000,
  -1000000,
];
const wrap = (v: number, bits: number, signed: boolean): bigint => {
  const x = BigInt.asUintN(bits, BigInt(v));
  return signed ? BigInt.asIntN(bits, x) : x;
};
const mask = (a: bigint, b: bigint): string => {
  const m = (a < b ? 1 : 0) | (a <= b ? 2 : 0) | (a > b ? 4 : 0) | (a >= b ? 8 : 0) | (a === b ? 16 : 0) | (a !== b ? 32 : 0);
  return m.toString(16).padStart(2, '0');
};

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
function ackermann(m: number, n: number): number {
  if (m === 0) return n + 1;
  if (n === 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

test('comparisons, branches, recursion, ICALL, jump tables and setjmp/longjmp behave as C says', async () => {
  const flash = await buildFixture('control.c');
  const run = runProgram(flash, { seconds: 20 });
  assert.equal(run.result, 'break', `program did not finish; output so far:\n${run.text}`);
  const lines = run.text.trimEnd().split('\n');
  for (let i = 0; i < VALUES.length; i++) {
    const want = VALUES.map((b) => {
      const a = VALUES[i]!;
      return [8, 16, 32]
        .flatMap((bits) => [mask(wrap(a, bits, true), wrap(b, bits, true)), mask(wrap(a, bits, false), wrap(b, bits, false))])
        .join('');
    }).join(' ');
    assert.equal(lines[i], want, `comparisons of ${VALUES[i]}`);
  }
  const rest = lines.slice(VALUES.length);
  assert.equal(rest[0], `fib ${fib(20)} ack ${ackermann(2, 3)}`);
  const i16 = (v: number) => Number(BigInt.asIntN(16, BigInt(v)));
  assert.equal(rest[1], `ops ${1234 - 567} ${1234 + 567} ${i16(1234 * -567)} ${1234}`);
  const table = [11, 203, 3007, 45, 5, 666, 7777, 88, 999, 1010, 11111, 12, 65535, 65535];
  assert.equal(rest[2], `switch ${table.join(' ')}`);
  assert.equal(rest[3], 'longjmp 42 12');
  assert.equal(rest[4], 'END');
});
