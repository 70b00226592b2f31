/**
 * Issue 13's "must show", on the virtual board with fixed tolerances and the real firmware, wired
 * in-process like `ltobms demo` (the real programmer over a pipe, the UART through the frame source):
 *
 * - uncalibrated, the frames are more than 15 mV off the board model's truth;
 * - after calibrateBoard with the model's true values, v_batt and v_load read within 3 mV, the
 *   current within 2 mA, the temperature within 1 K (the confirming frame, against the truth);
 * - a discharge into UVLO then cuts at a true cell voltage within 5 mV of the configured threshold,
 *   where the uncalibrated board did not (the same discharge from the calibrated board's EEPROM).
 *
 * The references are the model's own truth (snapshot), never the firmware's numbers; the board runs
 * as fast as the emulator goes, and every assertion is on simulated quantities.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHEMISTRY } from '../../src/part/chemistry.js';
import { calibrationOfEeprom } from '../../src/eeprom/calibration.js';
import { parseScenario } from '../../src/sim/scenario/index.js';
import type { Chemistry } from '../../src/sim/board/types.js';
import { runBoard, switchAt } from '../sim/board-e2e/harness.js';
import { startBench } from './calibrate-bench.js';

const ERRORS = { vref_pct: 1.2, divider_pct: -0.5, load_divider_pct: -0.6, shunt_pct: -0.9, adc_offset_lsb: 2, temp_k: 2.5 };

/** 300 mA out at 20 °C from a board with the tolerances above, serial number 7. */
const onBoard = (chemistry: Chemistry, name: string, rest: Record<string, unknown>) =>
  parseScenario({ name, load: { type: 'current', current_ma: 300 }, temperature: 20, board: { errors: ERRORS }, eeprom: { serial_number: 7 }, ...rest }, 'test', { chemistry });

/** Steady: a cell too big to move in the minutes calibrating takes. */
const steady = (chemistry: Chemistry) => onBoard(chemistry, 'steady, for calibrating', { cell: { soc_pct: 50, capacity_mah: 1_000_000 } });

/** A discharge from 150 mV above the cut-off into UVLO (about 1 mV a second at the end). */
const discharge = (chemistry: Chemistry) =>
  onBoard(chemistry, 'discharge into UVLO', { duration: '8m', cell: { voltage_mv: CHEMISTRY[chemistry].defaults.uvloCutoff + 150 } });

/** The true cell voltage (mV) when the firmware opened the main output. */
async function cutOffMv(chemistry: Chemistry, eeprom?: Uint8Array): Promise<number> {
  const run = await runBoard(discharge(chemistry), eeprom ? { eeprom } : {});
  const cut = switchAt(run, 'PA4', false, 1);
  assert.ok(cut, 'the main output was cut');
  assert.equal(run.lines.at(-1)?.frame?.state, 'BMS_STATE_UVLO');
  return cut.before.batteryVolts * 1000;
}

for (const chemistry of ['LTO', 'NAION'] as const) {
  test(`${chemistry}: a board off by its tolerances reads its cell exactly after calibrate, and cuts at the UVLO threshold`, { timeout: 300_000 }, async () => {
    const bench = await startBench(steady(chemistry));
    let eeprom: Uint8Array;
    try {
      // The truth once the outputs are on (the cell does not move in the minutes this takes).
      while (bench.sim.runtime.time < 5) await new Promise((r) => setTimeout(r, 20));
      const truth = bench.sim.runtime.snapshot();
      const references = {
        vbattMv: Math.round(truth.batteryVolts * 10000) / 10,
        vloadMv: Math.round(truth.loadVolts * 10000) / 10,
        currentMa: Math.round(truth.currentAmps * 10000) / 10,
        tempC: Math.round((truth.temperatureK - 273.15) * 100) / 100,
      };
      // The model's truth as the confirming frame arrives (the outputs on; leaving the session later resets the board).
      let now = truth;
      const result = await bench.calibrate({ references, frameTimeoutMs: 120_000 }, (e) => {
        if (e.type === 'frame' && e.phase === 'after') now = bench.sim.runtime.snapshot();
      });

      const before = result.framesBefore[0]!;
      assert.ok(Math.abs(before.v_batt - references.vbattMv) > 15, `uncalibrated v_batt ${before.v_batt} mV, true ${references.vbattMv} mV`);
      assert.ok(Math.abs(before.v_load - references.vloadMv) > 15, `uncalibrated v_load ${before.v_load} mV, true ${references.vloadMv} mV`);

      const after = result.framesAfter[0]!;
      assert.ok(now !== truth && now.mainOn, 'the truth at the confirming frame');
      assert.ok(Math.abs(after.v_batt - now.batteryVolts * 1000) <= 3, `v_batt ${after.v_batt} mV, true ${(now.batteryVolts * 1000).toFixed(1)} mV`);
      assert.ok(Math.abs(after.v_load - now.loadVolts * 1000) <= 3, `v_load ${after.v_load} mV, true ${(now.loadVolts * 1000).toFixed(1)} mV`);
      assert.ok(Math.abs(after.current - now.currentAmps * 1000) <= 2, `current ${after.current} mA, true ${(now.currentAmps * 1000).toFixed(1)} mA`);
      assert.ok(Math.abs(after.temp - now.temperatureK) <= 1, `temp ${after.temp} K, true ${now.temperatureK.toFixed(2)} K`);
      assert.ok(result.rows.every((r) => r.ok));
      assert.equal(result.serialNumber, 7);

      eeprom = bench.eeprom();
      assert.deepEqual(calibrationOfEeprom(eeprom), result.after, 'the block on the board is the one reported');
      assert.equal(eeprom[2]! | (eeprom[3]! << 8), 7, 'the serial number kept');
    } finally {
      await bench.close();
    }

    const threshold = CHEMISTRY[chemistry].defaults.uvloCutoff;
    const uncalibrated = await cutOffMv(chemistry);
    assert.ok(Math.abs(uncalibrated - threshold) > 5, `uncalibrated cut at ${uncalibrated.toFixed(1)} mV (threshold ${threshold} mV)`);
    const calibrated = await cutOffMv(chemistry, eeprom);
    assert.ok(Math.abs(calibrated - threshold) <= 5, `calibrated cut at ${calibrated.toFixed(1)} mV (threshold ${threshold} mV)`);
  });
}
