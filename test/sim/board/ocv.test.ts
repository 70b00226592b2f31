import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close } from './assert-close.js';
import { LTO_OCV, NAION_OCV, OcvCurve, ocvAt, socAtOcv } from '../../../src/sim/board/ocv.js';

test('OCV interpolates linearly between table rows', () => {
  // LTO rows 90 % = 2.42 V and 95 % = 2.50 V: halfway is 2.46 V.
  close(ocvAt(LTO_OCV, 0.925), 2.46);
  // Na-ion rows 40 % = 3.07 V and 50 % = 3.18 V: halfway is 3.125 V.
  close(ocvAt(NAION_OCV, 0.45), 3.125);
  // On a row exactly.
  close(ocvAt(LTO_OCV, 0.5), 2.29);
});

test('outside 0–100 % the end segments continue with their slope, never below 0 V', () => {
  // LTO top segment: 98 % 2.62 V → 100 % 2.80 V, 9 V per unit of SoC: 101 % → 2.89 V.
  close(ocvAt(LTO_OCV, 1.01), 2.89);
  // LTO bottom segment: 0 % 1.5 V → 2 % 1.8 V, 15 V per unit: −1 % → 1.35 V.
  close(ocvAt(LTO_OCV, -0.01), 1.35);
  // Na-ion top segment: 90 % 3.78 V → 100 % 4.0 V: 105 % → 4.11 V.
  close(ocvAt(NAION_OCV, 1.05), 4.11);
  assert.equal(ocvAt(LTO_OCV, -1), 0);
});

test('socAtOcv inverts ocvAt', () => {
  close(socAtOcv(LTO_OCV, 2.46), 0.925);
  close(socAtOcv(NAION_OCV, 3.125), 0.45);
  for (const table of [LTO_OCV, NAION_OCV]) {
    for (let soc = -0.05; soc <= 1.05; soc += 0.0137) close(socAtOcv(table, ocvAt(table, soc)), soc, 1e-9);
  }
});

test('both tables rise strictly in SoC and in voltage (so the inverse is unique)', () => {
  for (const table of [LTO_OCV, NAION_OCV]) {
    assert.equal(table[0].soc, 0);
    assert.equal(table[table.length - 1].soc, 1);
    for (let i = 1; i < table.length; i++) {
      assert.ok(table[i].soc > table[i - 1].soc && table[i].volts > table[i - 1].volts, `row ${i}`);
    }
  }
});

test('LTO: 1.5 V empty, 2.8 V full, a flat plateau between 2.2 and 2.4 V', () => {
  close(ocvAt(LTO_OCV, 0), 1.5);
  close(ocvAt(LTO_OCV, 1), 2.8);
  for (let soc = 0.2; soc <= 0.8; soc += 0.05) {
    const v = ocvAt(LTO_OCV, soc);
    assert.ok(v >= 2.2 && v <= 2.4, `${soc}: ${v}`);
  }
});

test('Na-ion: sloped from ≤ 2.0 V empty to 3.9–4.0 V full', () => {
  assert.ok(ocvAt(NAION_OCV, 0) <= 2.0);
  const full = ocvAt(NAION_OCV, 1);
  assert.ok(full >= 3.9 && full <= 4.0);
  // Sloped: more than 1 V per unit of SoC across the middle (LTO: under 0.4 V).
  assert.ok((ocvAt(NAION_OCV, 0.8) - ocvAt(NAION_OCV, 0.2)) / 0.6 > 1);
  assert.ok((ocvAt(LTO_OCV, 0.8) - ocvAt(LTO_OCV, 0.2)) / 0.6 < 0.4);
});

test("the firmware's default cut-offs (HARDWARE.md) sit near the ends of each curve", () => {
  // LTO: uvlo_cutoff 1700 mV, ovlo_cutoff 2800 mV; Na-ion: 2000 mV and 3900 mV.
  assert.ok(socAtOcv(LTO_OCV, 1.7) < 0.03);
  assert.ok(socAtOcv(LTO_OCV, 2.8) > 0.95);
  assert.ok(socAtOcv(NAION_OCV, 2.0) < 0.03);
  assert.ok(socAtOcv(NAION_OCV, 3.9) > 0.95);
  // …and the release thresholds above/below them are reachable inside the table.
  assert.ok(socAtOcv(LTO_OCV, 1.8) > socAtOcv(LTO_OCV, 1.7));
  assert.ok(socAtOcv(NAION_OCV, 3.8) < socAtOcv(NAION_OCV, 3.9));
});

test('OcvCurve (the last segment remembered) gives what ocvAt gives, to the bit, in any order of queries', () => {
  for (const table of [LTO_OCV, NAION_OCV]) {
    const curve = new OcvCurve(table);
    // Every breakpoint, just around it, outside the table, a slow drift and jumps back and forth.
    const socs = table.flatMap((p) => [p.soc, p.soc - 1e-12, p.soc + 1e-12, p.soc - 0.01]);
    socs.push(-0.3, 1.2, Number.NaN, 0.5);
    for (let k = 0; k < 2000; k++) socs.push(0.9 - k * 1e-4);
    for (let k = 0; k < 2000; k++) socs.push((k * 0.6180339887) % 1.1);
    for (const soc of socs) assert.ok(Object.is(curve.at(soc), ocvAt(table, soc)), `soc ${soc}`);
  }
});
