/**
 * The corrections calibrate computes, as data: frames read with a calibration in force plus the
 * values a user measured → the new block, the table, what is implausible. Expected values are worked
 * out by hand from docs/calibration.md's math (Q15 gains, offsets in mV / ADC counts / K).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCurrentGain, applyVoltage, IDENTITY_CALIBRATION, type Calibration } from '../../src/eeprom/calibration.js';
import type { Frame } from '../../src/logging/frame.js';
import { CalibrationInputError, confirmTolerance, currentCounts, planCalibration } from '../../src/workflows/calibration-plan.js';

function frame(over: Partial<Frame> = {}): Frame {
  return { measurement: 'lto-bms', id: '0007', state: 'BMS_STATE_DISCHARGING', uptime: 60, v_batt: 2241, v_load: 2225, current: 294, E_dis: 0, E_chg: 0, charge: 0, temp: 296, gain: 8, ...over };
}

test('voltages: one reference point sets the gain (Q15) and keeps the offset; the predicted reading is the reference', () => {
  const plan = planCalibration([frame()], { vbattMv: 2278, vloadMv: 2233 }, IDENTITY_CALIBRATION);
  // 2278 / 2241 × 32768 = 33309.0…; 2233 / 2225 × 32768 = 32885.8…
  assert.deepEqual(plan.calibration.vbatt, { gain: 33309, offset: 0 });
  assert.deepEqual(plan.calibration.vload, { gain: 32886, offset: 0 });
  assert.deepEqual(plan.calibration.current, IDENTITY_CALIBRATION.current, 'what was not measured is kept');
  assert.equal(plan.calibration.tempOffsetK, 0);
  assert.deepEqual(plan.rows.map((r) => [r.quantity, r.reading, r.reference, r.predicted]), [
    ['v_batt', 2241, 2278, 2278],
    ['v_load', 2225, 2233, 2233],
  ]);
  assert.deepEqual(plan.rows[0]!.change, { field: 'vbatt_gain', before: 1, after: 1.01651, unit: '×' });
  assert.deepEqual(plan.implausible, []);
});

test('calibrating a calibrated board corrects on top of its block: the raw reading is what the gain applies to', () => {
  const old: Calibration = { ...IDENTITY_CALIBRATION, vbatt: { gain: 33000, offset: 5 } };
  // The board read 2300 with gain 33000 and offset 5: raw = (2300 − 5) × 32768 / 33000 = 2278.87.
  const plan = planCalibration([frame({ v_batt: 2300 })], { vbattMv: 2290 }, old);
  assert.deepEqual(plan.calibration.vbatt, { gain: Math.round(((2290 - 5) * 32768) / ((2295 * 32768) / 33000)), offset: 5 });
  assert.equal(applyVoltage(2279, plan.calibration.vbatt), 2290);
});

test('current with a load: the gain from the mean reading, negative (charging) currents alike', () => {
  const frames = [frame({ current: -294 }), frame({ current: -296 })];
  const plan = planCalibration(frames, { currentMa: -300 }, IDENTITY_CALIBRATION);
  assert.equal(plan.calibration.current.gain, Math.round((32768 * 300) / 295));
  assert.equal(plan.calibration.current.offset, 0);
  assert.deepEqual([plan.rows[0]!.reading, plan.rows[0]!.predicted], [-295, applyCurrentGain(-295, plan.calibration.current)]);
  assert.equal(plan.rows[0]!.predicted, -300);
});

test('--zero: the reading with nothing attached, back in ADC counts at its PGA gain, becomes the current offset', () => {
  // LTO (1.024 V): 4 mA at gain 16 is 4 × 32768 × 16 / 10240 = 204.8 counts of the 16-sample sum.
  assert.equal(currentCounts(4, 16, 'lto-bms'), 204.8);
  assert.equal(currentCounts(4, 16, 'nai-bms'), 102.4);
  const old: Calibration = { ...IDENTITY_CALIBRATION, current: { gain: 32768, offset: -10 } };
  const plan = planCalibration([frame({ current: 4, gain: 16 }), frame({ current: 4, gain: 16 })], { zero: true }, old);
  assert.deepEqual(plan.calibration.current, { gain: 32768, offset: -10 + 205 });
  assert.deepEqual(plan.rows[0]!.change, { field: 'current_offset', before: -10, after: 195, unit: 'counts' });
  // A negative reading moves the offset down; a reading after a gain is taken back to before it.
  const halved = planCalibration([frame({ current: -3, gain: 16 })], { zero: true }, { ...IDENTITY_CALIBRATION, current: { gain: 16384, offset: 0 } });
  assert.equal(halved.calibration.current.offset, Math.round(currentCounts(-6, 16, 'lto-bms')));
});

test('temperature: the block\'s offset moves by reference − reading, in whole kelvin', () => {
  const plan = planCalibration([frame({ temp: 296 })], { tempC: 20 }, { ...IDENTITY_CALIBRATION, tempOffsetK: 1 });
  // 20 °C = 293.15 K: 3 K less than read.
  assert.equal(plan.calibration.tempOffsetK, 1 - 3);
  assert.deepEqual([plan.rows[0]!.reference, plan.rows[0]!.predicted], [293.15, 293]);
});

test('beyond plausible tolerance: gains off by more than 5 %, offsets beyond their limits are listed (calibrate refuses them)', () => {
  // 6 mA at gain 16 with nothing attached is 307 counts: more than an ADC's offset.
  const plan = planCalibration([frame({ current: 6, gain: 16 })], { vbattMv: 2400, vloadMv: 2240, zero: true, tempC: 35 }, IDENTITY_CALIBRATION);
  assert.deepEqual(plan.implausible.map((i) => i.quantity), ['v_batt', 'current', 'temp']);
  assert.match(plan.implausible[0]!.reason, /v_batt reads 2241 mV against 2400 mV measured: a gain of 1\.07095 \(\+7\.1 %\) is beyond the ±5 %/);
  assert.match(plan.implausible[1]!.reason, /current reads 6 mA with nothing attached: an offset of 307 ADC counts is beyond the ±256/);
  // 8 mA at gain 1 is only 25.6 counts: plausible; the limit is 256 counts, 16 LSB a conversion.
  assert.equal(planCalibration([frame({ current: 8, gain: 1 })], { zero: true }, IDENTITY_CALIBRATION).implausible.length, 0);
  assert.equal(planCalibration([frame({ current: 6, gain: 16 })], { zero: true }, IDENTITY_CALIBRATION).implausible.length, 1);
  assert.match(plan.implausible[2]!.reason, /an offset of 12 K is beyond the ±10 K/);
  // 4.9 % is still a board's parts.
  assert.equal(planCalibration([frame()], { vbattMv: Math.floor(2241 * 1.049) }, IDENTITY_CALIBRATION).implausible.length, 0);
});

test('references that cannot be used at all: a voltage reading 0, a current too small or of the other sign', () => {
  const reject = (f: Frame, refs: Parameters<typeof planCalibration>[1], message: RegExp) =>
    assert.throws(() => planCalibration([f], refs, IDENTITY_CALIBRATION), (e: unknown) => e instanceof CalibrationInputError && message.test(e.message));
  reject(frame({ v_load: 0 }), { vloadMv: 2233 }, /v_load reads 0 mV/);
  reject(frame(), { currentMa: 20 }, /--current 20 mA is too small/);
  reject(frame({ current: 0 }), { currentMa: 300 }, /no current flows/);
  reject(frame({ current: 290 }), { currentMa: -300 }, /the signs differ/);
});

test('confirmation tolerances: 3 mV + 0.1 % for voltages, 2 mA + 0.5 % for the current, 1 K', () => {
  assert.equal(confirmTolerance('v_batt', 2000), 5);
  assert.equal(confirmTolerance('current', -400), 4);
  assert.equal(confirmTolerance('current', 0), 2);
  assert.equal(confirmTolerance('temp', 293.15), 1);
});
