/**
 * Board tolerances on the real firmware: with `board.errors` the frames differ from the model's truth
 * by what the tolerance model says (docs/scenarios.md, "Board tolerances"). The expected readings are
 * computed from the model — the pin voltages, the ADC's codes with the real reference and the offset,
 * and the conversion formulas of docs/hardware.md — never from the firmware's code; they may differ by
 * one 12-bit code (the sample instants of a burst straddle a code edge) and the rounding after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoardErrors } from '../../../src/sim/board/errors.js';
import type { Chemistry } from '../../../src/sim/board/types.js';
import { tempsenseVolts } from '../../../src/sim/peripherals/adc.js';
import { runBoard, scenarioFor, truthAt, type RunRecord } from './harness.js';

const ERRORS = { vref_pct: 1.2, divider_pct: -0.5, load_divider_pct: 0.8, shunt_pct: -0.9, adc_offset_lsb: 2, temp_k: 2.5 };
const ERRORS_MODEL: BoardErrors = { vrefPct: 1.2, dividerPct: -0.5, loadDividerPct: 0.8, shuntPct: -0.9, adcOffsetLsb: 2, tempK: 2.5 };
const VREF_MV: Record<Chemistry, number> = { LTO: 1024, NAION: 2048 };
/** The simulated part's SIGROW temperature calibration (src/sim/nvm/memories.ts defaults). */
const TEMPSENSE = { gain: 0x89, offset: -4 };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A 16-sample sum of one steady input: what the firmware gets from a burst. */
function sum16(volts: number, refVolts: number, full: number, gain: number, lo: number, offset: number): number {
  return 16 * clamp(Math.floor((volts * gain * full) / refVolts) + offset, lo, full - 1);
}

/** hardware.md: mV = reading × Vref × 3 / 65536, rounded. */
const mv = (acc: number, vref: number) => Math.round((acc * vref * 3) / 65536);

/** hardware.md: mA = reading × Vref / (32768 × gain) / 0.1 Ω, rounded; ±2 mA or less is 0. */
function ma(acc: number, vref: number, gain: number): number {
  const m = Math.round((Math.abs(acc) * vref * 10) / (32768 * gain));
  return m <= 2 ? 0 : Math.sign(acc) * m;
}

/** The data sheet's correction on the sum of 16: T = ((acc − 64·offset)·gain + 8192) >> 14. */
const kelvin = (acc: number) => ((acc - 64 * TEMPSENSE.offset) * TEMPSENSE.gain + 8192) >> 14;

/** What a frame should read at a moment of the model, for a board with `e`. */
function expected(run: RunRecord, t: number, gain: number, e: BoardErrors) {
  const truth = truthAt(run, t);
  const vref = VREF_MV[run.scenario.chemistry];
  const ref = (vref / 1000) * (1 + e.vrefPct / 100);
  const off = e.adcOffsetLsb;
  const shunt = truth.currentAmps * 0.1 * (1 + e.shuntPct / 100);
  const sensor = tempsenseVolts(truth.temperatureK + e.tempK, TEMPSENSE) * (1 + e.vrefPct / 100);
  return {
    v_batt: mv(sum16((truth.batteryVolts / 3) * (1 + e.dividerPct / 100), ref, 4096, 1, 0, off), vref),
    v_load: mv(sum16((truth.loadVolts / 3) * (1 + e.loadDividerPct / 100), ref, 4096, 1, 0, off), vref),
    current: ma(sum16(shunt, ref, 2048, gain, -2048, off), vref, gain),
    temp: kelvin(sum16(sensor, 1.024 * (1 + e.vrefPct / 100), 4096, 1, 0, off)),
  };
}

/** A steady board: a cell too big to move in minutes, a constant 300 mA load. */
function steady(chemistry: Chemistry, errors?: Record<string, number>) {
  return scenarioFor(chemistry, {
    name: 'steady 300 mA',
    duration: 130,
    cell: { soc_pct: 50, capacity_mah: 1_000_000 },
    load: { type: 'current', current_ma: 300 },
    temperature: 20,
    ...(errors && { board: { errors } }),
  });
}

for (const chem of ['LTO', 'NAION'] as const) {
  test(`${chem}: with board errors the frames read what the tolerance model predicts, and far from the truth`, async () => {
    const bent = await runBoard(steady(chem, ERRORS));
    const ideal = await runBoard(steady(chem));
    assert.equal(bent.lines.filter((l) => l.frame).length, 3, 'frames at 0, 60 and 120 s');
    for (const [run, e] of [[bent, ERRORS_MODEL], [ideal, { vrefPct: 0, dividerPct: 0, loadDividerPct: 0, shuntPct: 0, adcOffsetLsb: 0, tempK: 0 }]] as const) {
      // From the first minute on (the start-up frame is measured with the outputs still off, before the 1-s truth begins).
      for (const line of run.lines.slice(1)) {
        const f = line.frame!;
        const want = expected(run, line.t, f.gain, e);
        const at = `${chem} uptime ${f.uptime}`;
        assert.ok(Math.abs(f.v_batt - want.v_batt) <= 1, `${at}: v_batt ${f.v_batt}, model ${want.v_batt}`);
        assert.ok(Math.abs(f.v_load - want.v_load) <= 1, `${at}: v_load ${f.v_load}, model ${want.v_load}`);
        assert.ok(Math.abs(f.current - want.current) <= 1, `${at}: current ${f.current}, model ${want.current}`);
        assert.ok(Math.abs(f.temp - want.temp) <= 1, `${at}: temp ${f.temp}, model ${want.temp}`);
      }
    }
    // The same moment on both boards: the errors move every reading, the battery by more than 15 mV.
    const [fb, fi] = [bent.lines[1]!.frame!, ideal.lines[1]!.frame!];
    const truth = truthAt(bent, bent.lines[1]!.t);
    assert.ok(Math.abs(fb.v_batt - truth.batteryVolts * 1000) > 15, `v_batt ${fb.v_batt} vs true ${(truth.batteryVolts * 1000).toFixed(1)} mV`);
    assert.ok(Math.abs(fi.v_batt - truth.batteryVolts * 1000) <= 1, 'the ideal board reads the truth');
    assert.notEqual(fb.v_load, fi.v_load);
    assert.notEqual(fb.current, fi.current);
    assert.ok(fb.temp - fi.temp >= 2, `the sensor reads ${fb.temp} K, ideal ${fi.temp} K`);
    // At start-up the outputs are off: the load input is at 0 V and reads the ADC's offset alone (16 × 2 LSB).
    assert.equal(bent.lines[0]!.frame!.v_load, mv(32, VREF_MV[chem]));
  });
}

test('a negative ADC offset is clamped at 0: a load terminal at 0 V reads 0, not a wrapped code', async () => {
  const run = await runBoard(steady('LTO', { adc_offset_lsb: -3 }), { seconds: 2 });
  const first = run.lines[0]!.frame!;
  assert.equal(first.uptime, 0);
  assert.equal(first.v_load, 0);
  assert.ok(first.v_batt > 2000);
});
