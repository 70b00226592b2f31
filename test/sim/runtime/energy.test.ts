// The energy report's bookkeeping: firmware states from frames (each frame's state counts until the next),
// protection events with the frame interval they happened in, the cell's extremes, and the board's and the
// MCU meter's totals passed through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoardSnapshot } from '../../../src/sim/board/board.js';
import { EnergyRecorder } from '../../../src/sim/runtime/energy.js';
import type { McuPowerTotals } from '../../../src/sim/runtime/mcu-power.js';

const board = { soc: 0.42, batteryVolts: 2.2, chargeInMah: 12.5, chargeOutMah: 30.25, energyInMwh: 28, energyOutMwh: 66 } as BoardSnapshot;
const mcu: McuPowerTotals = {
  seconds: { active: 1, idle: 2, standby: 997, powerDown: 0, reset: 0 },
  chargeAs: { active: 0, idle: 0, standby: 0, powerDown: 0, reset: 0 },
  totalSeconds: 1000,
  totalChargeAs: 0.0036,
  averageAmps: 3.6e-6,
};

test('states from frames, protection entries and releases, cell extremes, totals', () => {
  const r = new EnergyRecorder();
  r.cell(0, 2.25, 0.5);
  r.frame(0.07, 'BMS_STATE_DISCHARGING');
  r.cell(30, 1.69);
  r.frame(60.07, 'BMS_STATE_DISCHARGING');
  r.frame(120.07, 'BMS_STATE_UVLO');
  r.cell(150, 2.31);
  r.frame(180.07, 'BMS_STATE_UVLO');
  r.frame(240.07, 'BMS_STATE_CHARGING');
  r.frame(300.07, 'BMS_STATE_OCLO');
  const rep = r.report({ scenario: 's', chemistry: 'LTO', t: 400, board, mcu });
  const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  near(rep.states.DISCHARGING, 120);
  near(rep.states.UVLO, 120);
  near(rep.states.CHARGING, 60);
  near(rep.states.OCLO, 400 - 300.07);
  assert.deepEqual(Object.keys(rep.states).sort(), ['CHARGING', 'DISCHARGING', 'OCLO', 'UVLO']);
  assert.equal(rep.frames, 6);
  assert.deepEqual(rep.protection, [
    { state: 'UVLO', change: 'entered', t: 120.07, since: 60.07 },
    { state: 'UVLO', change: 'left', t: 240.07, since: 180.07 },
    { state: 'OCLO', change: 'entered', t: 300.07, since: 240.07 },
  ]);
  assert.deepEqual(rep.cell, { minVolts: 1.69, minAt: 30, maxVolts: 2.31, maxAt: 150, startSoc: 0.5, endSoc: 0.42 });
  assert.deepEqual(rep.charge, { inMah: 12.5, outMah: 30.25 });
  assert.deepEqual(rep.energy, { inMwh: 28, outMwh: 66 });
  assert.ok(Math.abs(rep.mcu.averageMicroamps - 3.6) < 1e-9);
  assert.ok(Math.abs(rep.mcu.chargeMah - 0.001) < 1e-12);
  // Asking again changes nothing (the open state is closed only in the copy).
  assert.deepEqual(r.report({ scenario: 's', chemistry: 'LTO', t: 400, board, mcu }).states, rep.states);
});

test('a run that starts in a protection state reports it as entered at the first frame', () => {
  const r = new EnergyRecorder();
  r.frame(0.07, 'BMS_STATE_OVLO');
  const rep = r.report({ scenario: 's', chemistry: 'NAION', t: 10, board, mcu });
  assert.deepEqual(rep.protection, [{ state: 'OVLO', change: 'entered', t: 0.07, since: 0 }]);
});
