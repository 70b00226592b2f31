/**
 * The real firmware applies the EEPROM calibration block (docs/calibration.md) on the virtual board,
 * both chemistries: the same board with and without a block, frame by frame, gives exactly what the
 * host's copy of the arithmetic (src/eeprom/calibration.ts) says; the INA260 registers carry the
 * calibrated values; and the UVLO cut-off compares the calibrated battery voltage.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHEMISTRY } from '../../../src/part/chemistry.js';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { encodeConfig } from '../../../src/eeprom/image.js';
import { applyCurrentGain, applyVoltage, encodeCalibration, IDENTITY_CALIBRATION, type Calibration } from '../../../src/eeprom/calibration.js';
import { loadScenarioFile } from '../../../src/sim/scenario/index.js';
import type { Chemistry } from '../../../src/sim/board/types.js';
import type { Frame } from '../../../src/logging/frame.js';
import { runBoard, scenarioFor, switchAt, truthAt } from './harness.js';

const CHEMS: Chemistry[] = ['LTO', 'NAION'];
const VREF_MV: Record<Chemistry, number> = { LTO: 1024, NAION: 2048 };
const ADC_MV = 6;

function eeprom(chem: Chemistry, cal?: Calibration): Uint8Array {
  const config = encodeConfig({ ...CHEMISTRY[chem].defaults, serialNumber: 7, tempOffset: 0 });
  if (!cal) return config;
  const bytes = new Uint8Array(40);
  bytes.set(config);
  bytes.set(encodeCalibration(cal), 20);
  return bytes;
}

const frames = (run: { runtime: { frames: readonly Frame[] } }) => run.runtime.frames.filter((f) => f.uptime > 0);

for (const chem of CHEMS) {
  const scenario = scenarioFor(chem, { cell: { soc_pct: 60 }, load: { type: 'current', current_ma: 150 } });

  test(`${chem}: frames carry exactly the host arithmetic applied to the uncalibrated readings; the block is never written`, async () => {
    const cal: Calibration = { vbatt: { gain: 33423, offset: -12 }, vload: { gain: 32112, offset: 9 }, current: { gain: 34406, offset: 0 }, tempOffsetK: -3 };
    const [plain, calibrated] = await Promise.all([runBoard(scenario, { eeprom: eeprom(chem), seconds: 190 }), runBoard(scenario, { eeprom: eeprom(chem, cal), seconds: 190 })]);
    const [a, b] = [frames(plain), frames(calibrated)];
    assert.equal(a.length, 3);
    assert.equal(b.length, 3);
    a.forEach((raw, k) => {
      const got = b[k]!;
      assert.equal(got.v_batt, applyVoltage(raw.v_batt, cal.vbatt), `v_batt: ${raw.v_batt} uncalibrated`);
      assert.equal(got.v_load, applyVoltage(raw.v_load, cal.vload), `v_load: ${raw.v_load} uncalibrated`);
      assert.equal(got.current, applyCurrentGain(raw.current, cal.current), `current: ${raw.current} uncalibrated`);
      assert.equal(got.temp, raw.temp + cal.tempOffsetK);
      assert.notEqual(got.v_batt, raw.v_batt);
    });
    // The firmware only reads the block: bytes 20..39 are what was written.
    assert.deepEqual([...calibrated.runtime.memories.eeprom.subarray(0, 40)], [...eeprom(chem, cal)]);
  });

  test(`${chem}: a corrupt configuration is replaced by the defaults and the calibration block beside it stays and applies`, async () => {
    const cal: Calibration = { ...IDENTITY_CALIBRATION, vbatt: { gain: 32768, offset: 40 } };
    const bytes = eeprom(chem, cal);
    bytes[6] = bytes[6]! ^ 0x01; // the configuration's CRC no longer matches
    const [plain, run] = await Promise.all([runBoard(scenario, { eeprom: eeprom(chem), seconds: 3 }), runBoard(scenario, { eeprom: bytes, seconds: 3 })]);
    const memory = run.runtime.memories.eeprom;
    assert.deepEqual([...memory.subarray(0, 20)], [...encodeConfig({ ...CHEMISTRY[chem].defaults, serialNumber: 0, tempOffset: 0 })]);
    assert.deepEqual([...memory.subarray(20, 40)], [...encodeCalibration(cal)], 'the defaults went to bytes 0–19 only');
    assert.equal(run.runtime.frames[0]?.id, '0000');
    assert.equal(run.runtime.frames[0]?.v_batt, applyVoltage(plain.runtime.frames[0]!.v_batt, cal.vbatt));
  });

  test(`${chem}: the current offset is taken off the raw ADC sum (the same counts at the gain in use)`, async () => {
    const offset = 512;
    const cal: Calibration = { ...IDENTITY_CALIBRATION, current: { gain: 32768, offset } };
    const [plain, calibrated] = await Promise.all([runBoard(scenario, { eeprom: eeprom(chem), seconds: 70 }), runBoard(scenario, { eeprom: eeprom(chem, cal), seconds: 70 })]);
    const raw = frames(plain)[0]!;
    const got = frames(calibrated)[0]!;
    const shiftMa = (offset * VREF_MV[chem] * 10) / (32768 * got.gain);
    assert.ok(Math.abs(got.current - (raw.current - shiftMa)) <= 1, `current ${got.current} mA; uncalibrated ${raw.current} mA, offset = ${shiftMa} mA at gain ${got.gain}`);
    assert.equal(got.v_batt, raw.v_batt);
  });

  test(`${chem}: the INA260 registers hold the calibrated current and bus voltage`, async () => {
    const cal: Calibration = { ...IDENTITY_CALIBRATION, vbatt: { gain: 32768, offset: 250 }, current: { gain: 65535, offset: 0 } };
    const run = await runBoard(scenario, { eeprom: eeprom(chem, cal), seconds: 61 });
    const f = frames(run)[0]!;
    const read = (r: number) => {
      const d = run.runtime.chip.i2c.writeRead(0x41, [r], 2).data;
      return ((d[0]! << 8) | d[1]!) << 16 >> 16;
    };
    const truth = truthAt(run, 60);
    // 1.25 mV and 1.25 mA per LSB; the frame at uptime 60 and the registers come from the same second's readings.
    assert.equal(read(0x02), Math.round(f.v_batt / 1.25));
    assert.equal(read(0x01), Math.round(f.current / 1.25));
    assert.ok(Math.abs(f.v_batt - (truth.batteryVolts * 1000 + 250)) <= ADC_MV, `bus ${f.v_batt} mV, cell ${truth.batteryVolts} V + 250 mV`);
    assert.ok(Math.abs(f.current - 2 * truth.currentAmps * 1000) <= 4, `current ${f.current} mA, twice the cell's ${truth.currentAmps} A`);
  });

  test(`${chem}: UVLO compares the calibrated battery voltage (a board reading 30 mV high cuts 30 mV lower)`, async () => {
    const cutoff = CHEMISTRY[chem].defaults.uvloCutoff;
    const discharge = await loadScenarioFile(join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml'), { chemistry: chem });
    const cal: Calibration = { ...IDENTITY_CALIBRATION, vbatt: { gain: 32768, offset: 30 } };
    const run = await runBoard(discharge, { eeprom: eeprom(chem, cal), seconds: 1200 });
    const cut = switchAt(run, 'PA4', false, 1);
    assert.ok(cut, 'the main output was cut');
    const vAtCut = cut.before.batteryVolts * 1000;
    assert.ok(vAtCut <= cutoff - 30 + ADC_MV, `cut at ${vAtCut.toFixed(1)} mV, cut-off ${cutoff} mV read 30 mV high`);
    const vBefore = truthAt(run, cut.t - 1).batteryVolts * 1000;
    assert.ok(vBefore > cutoff - 30 - ADC_MV, `one tick earlier the cell was at ${vBefore.toFixed(1)} mV: the cut came late`);
  });
}
