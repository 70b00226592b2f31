// CPUINT's choice of the next vector, as data: every combination of requests, LVL0PRI, LVL1VEC and executing
// levels against the priority rule read straight from the data sheet (NMI, then the level-1 vector, then level 0
// from the vector after LVL0PRI round to LVL0PRI itself), written here as the plain loop it describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterruptController } from '../../../src/sim/cpu/interrupts.js';

const VECTORS = 30;
const NMI = 1;
const LVL0EX = 0x01;
const LVL1EX = 0x02;
const NMIEX = 0x80;

/** The data sheet's rule, one vector at a time. */
function expected(requests: number, lvl0pri: number, lvl1vec: number, status: number): number {
  if (requests === 0 || status & NMIEX) return -1;
  if (requests & (1 << NMI)) return NMI;
  if (status & LVL1EX) return -1;
  if (lvl1vec > 0 && lvl1vec < VECTORS && requests & (1 << lvl1vec)) return lvl1vec;
  if (status & LVL0EX) return -1;
  for (let k = 1; k <= VECTORS; k++) {
    const v = (lvl0pri + k) % VECTORS;
    if (v !== 0 && v !== NMI && v !== lvl1vec && requests & (1 << v)) return v;
  }
  return -1;
}

/** A small deterministic generator (xorshift32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

test('CPUINT picks the vector the data-sheet priority rule picks (NMI, level 1, level 0 round robin from LVL0PRI)', () => {
  const next = random(0x2f6b9e1d);
  const ic = new InterruptController();
  for (let i = 0; i < 20_000; i++) {
    ic.reset();
    // Sparse and dense request sets over vectors 1–29, LVL0PRI and LVL1VEC over the whole register.
    const density = next() % 4;
    let requests = 0;
    for (let v = 1; v < VECTORS; v++) if (next() % 8 <= density) requests |= 1 << v;
    const lvl0pri = i % 5 === 0 ? next() % 256 : next() % VECTORS;
    const lvl1vec = next() % 3 === 0 ? 0 : next() % 32;
    const status = [0, 0, 0, LVL0EX, LVL1EX, NMIEX][next() % 6]!;
    ic.lvl0pri = lvl0pri;
    ic.lvl1vec = lvl1vec;
    ic.status = status;
    for (let v = 1; v < VECTORS; v++) if (requests & (1 << v)) ic.setRequest(v, true);
    const want = expected(requests, lvl0pri, lvl1vec, status);
    assert.equal(ic.select(), want, `requests 0x${requests.toString(16)} LVL0PRI ${lvl0pri} LVL1VEC ${lvl1vec} STATUS 0x${status.toString(16)}`);
    assert.equal(ic.ready, want >= 0);
  }
});

test('CPUINT level 0 round robin: the vector after LVL0PRI first, LVL0PRI itself last (literal cases)', () => {
  const ic = new InterruptController();
  for (const v of [4, 9, 22]) ic.setRequest(v, true);
  ic.lvl0pri = 0;
  assert.equal(ic.select(), 4);
  ic.lvl0pri = 4;
  assert.equal(ic.select(), 9);
  ic.lvl0pri = 9;
  assert.equal(ic.select(), 22);
  ic.lvl0pri = 22;
  assert.equal(ic.select(), 4);
  ic.lvl0pri = 29;
  assert.equal(ic.select(), 4);
  // LVL1VEC's own request is level 1, never taken as level 0 while level 1 executes.
  ic.lvl1vec = 4;
  ic.status = LVL1EX;
  assert.equal(ic.select(), -1);
  ic.status = 0;
  assert.equal(ic.select(), 4);
});
