// The MCU power figure: the data sheet's currents (tinyAVR 2 "Power Consumption", typical, 25 °C) and the
// meter's split of simulated time among the states. Literal values from the data sheet, not from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { McuPowerMeter, mcuSupplyAmps, type McuCycleSource } from '../../../src/sim/runtime/mcu-power.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('supply currents at 1.25 MHz from the 5 and 10 MHz rows, scaled by VDD like the 5 MHz rows', () => {
  // 3 V: active 1.6 mA @ 5 MHz, 2.8 mA @ 10 MHz → 0.70 mA @ 1.25 MHz; idle 0.6 / 0.8 mA → 0.45 mA.
  close(mcuSupplyAmps('active', 3), 0.7e-3, 1e-12, 'active 3 V');
  close(mcuSupplyAmps('idle', 3), 0.45e-3, 1e-12, 'idle 3 V');
  close(mcuSupplyAmps('standby', 3), 0.7e-6, 1e-15, 'standby 3 V');
  close(mcuSupplyAmps('powerDown', 3), 0.1e-6, 1e-15, 'power-down 3 V');
  close(mcuSupplyAmps('reset', 3), 100e-6, 1e-15, 'reset 3 V');
  // 2 V: active 1.1/1.6 of the 3 V figure, idle 0.4/0.6; 5 V: 2.8/1.6 and 1.0/0.6.
  close(mcuSupplyAmps('active', 2), (0.7e-3 * 1.1) / 1.6, 1e-12, 'active 2 V');
  close(mcuSupplyAmps('idle', 2), (0.45e-3 * 0.4) / 0.6, 1e-12, 'idle 2 V');
  close(mcuSupplyAmps('active', 5), (0.7e-3 * 2.8) / 1.6, 1e-12, 'active 5 V');
  close(mcuSupplyAmps('standby', 5), (0.7e-6 * 1.0) / 0.6, 1e-15, 'standby 5 V');
  // Between rows it is linear (4 V: half-way from 3 to 5 V), below 2 V the 2–3 V slope continues.
  close(mcuSupplyAmps('active', 4), (0.7e-3 * 2.2) / 1.6, 1e-12, 'active 4 V');
  close(mcuSupplyAmps('active', 1.5), (0.7e-3 * 0.85) / 1.6, 1e-12, 'active 1.5 V');
});

test('the meter splits each interval among the states by their cycles and charges it at the voltage given', () => {
  const src = { clock: { cycles: 0, time: 0 }, sleepCycles: 0, sleepCyclesByMode: [0, 0, 0] };
  const meter = new McuPowerMeter(src as McuCycleSource);
  // One second at 1.25 MHz: 2,500 cycles active, 5,000 idle, 1,242,500 standby.
  src.clock.cycles = 1_250_000;
  src.clock.time = 1;
  src.sleepCyclesByMode = [5_000, 1_242_500, 0];
  src.sleepCycles = 1_247_500;
  meter.sample(3);
  let p = meter.totals;
  close(p.seconds.active, 0.002, 1e-12, 'active s');
  close(p.seconds.idle, 0.004, 1e-12, 'idle s');
  close(p.seconds.standby, 0.994, 1e-12, 'standby s');
  assert.equal(p.seconds.reset, 0);
  const expected = 0.002 * 0.7e-3 + 0.004 * 0.45e-3 + 0.994 * 0.7e-6;
  close(p.totalChargeAs, expected, 1e-15, 'charge');
  close(p.averageAmps, expected, 1e-15, 'average over 1 s');
  // A second second held in reset (counted in sleepCycles but in no sleep mode), at 2 V.
  src.clock.cycles = 2_500_000;
  src.clock.time = 2;
  src.sleepCycles += 1_250_000;
  meter.sample(2);
  p = meter.totals;
  close(p.seconds.reset, 1, 1e-12, 'reset s');
  close(p.totalSeconds, 2, 1e-12, 'total s');
  close(p.chargeAs.reset, (100e-6 * 0.4) / 0.6, 1e-15, 'reset charge at 2 V');
  // Nothing new: no change.
  meter.sample(3);
  close(meter.totals.totalSeconds, 2, 1e-12, 'no time, no change');
});
