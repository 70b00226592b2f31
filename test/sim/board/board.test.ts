import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close } from './assert-close.js';
import { VirtualBoard } from '../../../src/sim/board/board.js';
import type { BoardConfig, ChargerSegment, LoadSegment } from '../../../src/sim/board/types.js';

// A 1000 mAh LTO cell at 50 % (OCV 2.29 V on the table), 40 mΩ; 0.1 Ω shunt + 50 mΩ switch.
function board(over: Partial<BoardConfig> & { soc?: number; capacityMah?: number; tc?: number } = {}): VirtualBoard {
  const { soc, capacityMah, tc, ...rest } = over;
  return new VirtualBoard({
    chemistry: 'LTO',
    cell: { capacityMah: capacityMah ?? 1000, initialSoc: soc ?? 0.5, resistanceOhm: 0.04, resistanceTempCoeff: tc ?? 0 },
    load: [],
    charger: [],
    temperature: { kind: 'constant', kelvin: 298.15 },
    startHour: 0,
    switchOhm: 0.05,
    quiescentAmps: 0,
    stepSeconds: 1,
    ...rest,
  });
}
const cc = (amps: number, at = 0, qwiicAmps = 0): LoadSegment => ({ at, kind: 'current', amps, qwiicAmps });
const charger = (amps: number, cvVolts = 2.85, at = 0): ChargerSegment => ({ at, kind: 'cc', amps, cvVolts });

test('at power-up both outputs are off and nothing flows', () => {
  const b = board({ load: [cc(0.3, 0, 0.01)] });
  const s = b.snapshot(0);
  assert.equal(s.mainOn, false);
  assert.equal(s.qwiicOn, false);
  assert.equal(s.currentAmps, 0);
  assert.equal(b.pinVoltage('PA3', 0), 0);
  close(b.pinVoltage('PA2', 0), 2.29 / 3);
});

test('sign contract: V(PA7) − V(PA6) = I × 0.1 Ω, positive while discharging', () => {
  const b = board({ load: [cc(0.3)] });
  b.setPin('PA4', 'high', 0);
  close(b.pinVoltage('PA7', 0) - b.pinVoltage('PA6', 0), 0.03);
  // Vb = 2.29 − 0.3 × 0.04 = 2.278 V; Vl = Vb − 0.3 × (0.1 + 0.05) = 2.233 V; both through 1:3 dividers.
  close(b.pinVoltage('PA2', 0), 2.278 / 3);
  close(b.pinVoltage('PA3', 0), 2.233 / 3);
  close(b.vdd(0), 2.278);
  close(b.pinVoltage('PA7', 0), 2.278);
});

test('sign contract: negative while charging, and the terminal sits above the cell', () => {
  const b = board({ charger: [charger(0.5)] });
  b.setPin('PA4', 'high', 0);
  close(b.pinVoltage('PA7', 0) - b.pinVoltage('PA6', 0), -0.05);
  // Vb = 2.29 + 0.5 × 0.04 = 2.31 V; Vl = 2.31 + 0.5 × 0.15 = 2.385 V.
  close(b.vdd(0), 2.31);
  close(b.pinVoltage('PA3', 0) * 3, 2.385);
  assert.equal(b.snapshot(0).chargerMode, 'cc');
});

test('PA4: only driven high closes the main switch; PA5: only driven low closes the 3.3 V switch', () => {
  const b = board({ load: [cc(0.3, 0, 0.01)] });
  const current = (t: number) => b.snapshot(t).currentAmps;
  b.setPin('PA4', 'high', 1);
  close(current(1), 0.3);
  b.setPin('PA4', 'low', 2);
  assert.equal(current(2), 0);
  b.setPin('PA4', 'input', 3);
  assert.equal(current(3), 0);
  b.setPin('PA5', 'low', 4);
  close(current(4), 0.01);
  assert.equal(b.pinVoltage('PA5', 4), 0);
  b.setPin('PA5', 'high', 5);
  assert.equal(current(5), 0);
  b.setPin('PA5', 'input', 6);
  assert.equal(current(6), 0);
  // A released PA5 is pulled up to VDD by the switch's gate resistor; a released PA4 is pulled down.
  close(b.pinVoltage('PA5', 6), b.vdd(6));
  assert.equal(b.pinVoltage('PA4', 6), 0);
  // Pins the board does not wire to a switch change nothing.
  b.setPin('PB2', 'low', 7);
  b.setPin('PA1', 'high', 7);
  assert.equal(current(7), 0);
  assert.equal(b.pinVoltage('PA1', 7), 0);
});

test('coulomb counting over hours is exact for constant currents', () => {
  // 1000 mAh at 80 %, 250 mA for 2 h = 500 mAh: 30 % left.
  const b = board({ soc: 0.8, load: [cc(0.25)] });
  b.setPin('PA4', 'high', 0);
  const s = b.snapshot(7200);
  close(s.chargeMah, 500, 1e-9);
  close(s.soc, 0.3, 1e-12);
});

test('coulomb counting follows the switch exactly, at any instant', () => {
  // On 0 → 3600.25 s, off until 5400.5 s, on again until 7200 s.
  const b = board({ soc: 0.8, load: [cc(0.25)] });
  b.setPin('PA4', 'high', 0);
  b.setPin('PA4', 'input', 3600.25);
  b.setPin('PA4', 'high', 5400.5);
  const onSeconds = 3600.25 + (7200 - 5400.5);
  const s = b.snapshot(7200);
  close(s.chargeMah, (250 * onSeconds) / 3600, 1e-9);
  close(s.soc, 0.8 - (0.25 * onSeconds) / 3600, 1e-12);
});

test('a schedule segment starts exactly at its time, not on the model step', () => {
  const b = board({ load: [cc(0.1), { at: 1000.5, kind: 'off', qwiicAmps: 0 }] });
  b.setPin('PA4', 'high', 0);
  close(b.snapshot(2000).chargeMah, (100 * 1000.5) / 3600, 1e-9);
});

test('results do not depend on how often the board is queried', () => {
  const cfg = { load: [{ at: 0, kind: 'resistance', ohms: 10, qwiicAmps: 0 } as LoadSegment], charger: [charger(0.05, 2.85, 1800)] };
  const a = board(cfg);
  const b = board(cfg);
  a.setPin('PA4', 'high', 0);
  b.setPin('PA4', 'high', 0);
  for (let t = 0; t < 10_800; t += 0.37) a.pinVoltage('PA6', t);
  assert.deepEqual(a.snapshot(10_800), b.snapshot(10_800));
});

test('a resistive load discharges as the voltage falls (1 h into 10 Ω from 50 %)', () => {
  // Hand estimate: I ≈ mean OCV / 10.19 Ω. SoC runs 50 % → ~27.8 %; the table is linear at 0.2 V per unit
  // from 50 % to 30 % (2.29 → 2.25 V) and 0.3 V per unit below (2.25 V at 30 %), so the mean OCV is
  // (0.2 × 2.27 + 0.0225 × 2.2466) / 0.2225 ≈ 2.2676 V and I ≈ 0.22253 A: about 222.5 mAh.
  const b = board({ load: [{ at: 0, kind: 'resistance', ohms: 10, qwiicAmps: 0 }] });
  b.setPin('PA4', 'high', 0);
  const s = b.snapshot(3600);
  close(s.chargeMah, 222.5, 0.5);
  // And Ohm's law at the end: Vl = 10 Ω × I.
  close(s.loadVolts, 10 * s.currentAmps, 1e-3);
});

test('CV charging: the terminal stays at the limit, the current tapers, the cell never passes it', () => {
  // 95 % LTO cell (OCV 2.50 V), 1 A charger limited to 2.6 V: I0 = (2.6 − 2.5) / 0.19 Ω.
  const b = board({ soc: 0.95, charger: [charger(1, 2.6)] });
  b.setPin('PA4', 'high', 0);
  const start = b.snapshot(0);
  assert.equal(start.chargerMode, 'cv');
  close(start.currentAmps, -0.1 / 0.19);
  close(start.loadVolts, 2.6);
  close(start.batteryVolts, 2.5 + (0.1 / 0.19) * 0.04);
  // On this segment (95 → 98 %: 4 V per unit of SoC) the current decays exponentially with
  // τ = capacity × R_series / slope = 3600 A·s × 0.19 Ω / 4 V = 171 s.
  close(b.snapshot(171).currentAmps / start.currentAmps, Math.exp(-1), 0.005);
  let last = b.snapshot(171);
  for (let t = 240; t <= 1800; t += 60) {
    const s = b.snapshot(t);
    assert.ok(Math.abs(s.loadVolts - 2.6) < 1e-3, `terminal ${s.loadVolts} V at ${t} s`);
    assert.ok(s.currentAmps < 0 && Math.abs(s.currentAmps) < Math.abs(last.currentAmps), `no taper at ${t} s`);
    // OCV 2.6 V is at 95 % + 3 % × (0.1 / 0.12) = 97.5 %: the asymptote.
    assert.ok(s.soc < 0.975);
    last = s;
  }
  close(last.soc, 0.975, 1e-4);
});

test('energy counters integrate I × V(B) by direction (hand-computed)', () => {
  // 1 h at 200 mA from 50 %: SoC 50 → 30 %, OCV 2.29 → 2.25 V linearly; mean Vb = 2.27 − 0.008 = 2.262 V:
  // 0.2 A × 2.262 V × 1 h = 452.4 mWh out.
  const b = board({ load: [cc(0.2), { at: 3600, kind: 'off', qwiicAmps: 0 }], charger: [charger(0.3, 2.85, 3600)] });
  b.setPin('PA4', 'high', 0);
  let s = b.snapshot(3600);
  close(s.energyOutMwh, 452.4, 0.01);
  assert.equal(s.energyInMwh, 0);
  // Half-way through the second hour (between grid events) the split already shows the charge coming in.
  const mid = b.snapshot(5400.5);
  close(mid.chargeOutMah, 200, 1e-9);
  close(mid.chargeInMah, (300 * 1800.5) / 3600, 1e-9);
  // Then 1 h at 300 mA in: SoC 30 → 60 %, OCV 2.25 → 2.31 V linearly; mean Vb = 2.28 + 0.012 = 2.292 V.
  s = b.snapshot(7200);
  close(s.energyInMwh, 0.3 * 2.292 * 1000, 0.01);
  close(s.energyOutMwh, 452.4, 0.01);
  close(s.chargeMah, 200 - 300, 1e-9);
  // The same charge split by direction: 200 mAh went out, 300 mAh came in.
  close(s.chargeOutMah, 200, 1e-9);
  close(s.chargeInMah, 300, 1e-9);
});

test('internal resistance grows in the cold when a coefficient is given', () => {
  // 2 %/K at 0 °C: R = 40 mΩ × (1 + 0.02 × 25) = 60 mΩ; 0.5 A then drops 30 mV inside the cell.
  const b = board({ tc: 0.02, temperature: { kind: 'constant', kelvin: 273.15 }, load: [cc(0.5)] });
  b.setPin('PA4', 'high', 0);
  const s = b.snapshot(0);
  close(s.internalOhms, 0.06);
  close(s.batteryVolts, 2.29 - 0.03);
  close(s.temperatureK, 273.15);
});

test('a solar day delivers peak × 2/π × day length (12 h at 400 mA peak → 3055.8 mAh)', () => {
  const b = board({
    capacityMah: 10_000,
    soc: 0.2,
    charger: [{ at: 0, kind: 'solar', peakAmps: 0.4, sunriseHour: 6, sunsetHour: 18, cvVolts: 2.85 }],
  });
  b.setPin('PA4', 'high', 0);
  assert.equal(b.snapshot(5 * 3600).currentAmps, 0);
  close(b.snapshot(12 * 3600).currentAmps, -0.4, 1e-6);
  const expected = (0.4 * 2 * 12 * 1000) / Math.PI;
  close(-b.snapshot(24 * 3600).chargeMah, expected, 0.5);
});

test('steadyBetween: true only inside one model step, before any segment start, and not for a lookback answer', () => {
  const b = board({ load: [cc(0.1), cc(0.2, 10)], stepSeconds: 1 });
  b.setPin('PA4', 'high', 0);
  assert.equal(b.steadyBetween(2.1, 2.9), true);
  assert.equal(b.steadyBetween(2.9, 3.1), false); // the grid point at 3 s re-solves the circuit
  assert.equal(b.steadyBetween(9.5, 9.9), true);
  assert.equal(b.steadyBetween(9.9, 10.2), false); // the load steps at 10 s
  b.setPin('PA4', 'low', 10.5);
  assert.equal(b.steadyBetween(10.499, 10.6), false); // answered with the state at the switch
  const daily = board({ temperature: { kind: 'daily', minK: 270, maxK: 280, peakHour: 14 } });
  assert.equal(daily.steadyBetween(14 * 3600 - 0.5, 14 * 3600 - 0.4), false); // the temperature turns at 14:00
});

test('time must not go backwards, except a sample a few ms before a pin change', () => {
  const b = board({ load: [cc(0.1)] });
  b.setPin('PA4', 'high', 10);
  // 5 ms before the switch closed: answered as of the switch event (100 mA flowing, 10 mV on the shunt).
  close(b.pinVoltage('PA7', 9.995) - b.pinVoltage('PA6', 9.995), 0.01);
  assert.throws(() => b.pinVoltage('PA2', 9), RangeError);
});

test('a pin change that leaves both switches as they were changes nothing', () => {
  const a = board({ load: [{ at: 0, kind: 'resistance', ohms: 10, qwiicAmps: 0 }] });
  const b = board({ load: [{ at: 0, kind: 'resistance', ohms: 10, qwiicAmps: 0 }] });
  a.setPin('PA4', 'high', 0);
  b.setPin('PA4', 'high', 0);
  // 'input' → 'high' on PA5 keeps the 3.3 V output off; 'high' again on PA4 keeps the main on.
  b.setPin('PA5', 'high', 100.3);
  b.setPin('PA4', 'high', 200.7);
  assert.deepEqual(a.snapshot(3600), b.snapshot(3600));
});

// The situations the firmware's protection rules tell apart (HARDWARE.md "Protection state machine"):
// 50 mV between Vl and Vb in UVLO/OVLO for "charger present" / "load pulling", 5 mV for "charger pushes".
test('Vl vs Vb: outputs off, no charger → Vl = 0 V (UVLO stays off; in OVLO a load is "pulling")', () => {
  const b = board({ soc: 0.01, load: [cc(0.3)] });
  const s = b.snapshot(0);
  assert.equal(s.loadVolts, 0);
  assert.ok(s.batteryVolts * 1000 - s.loadVolts * 1000 > 50);
});

test('Vl vs Vb: outputs off, charger connected → Vl = its voltage limit, > Vb + 50 mV ("charger present")', () => {
  const b = board({ soc: 0.01, load: [cc(0.3)], charger: [charger(0.5, 2.85, 100)] });
  assert.equal(b.snapshot(99).loadVolts, 0);
  const s = b.snapshot(100);
  assert.equal(s.loadVolts, 2.85);
  assert.ok((s.loadVolts - s.batteryVolts) * 1000 > 50);
});

test('Vl vs Vb: outputs on while charging: Vl − Vb = |I| × 0.15 Ω (75 mV at 500 mA, 30 mV at 200 mA)', () => {
  const strong = board({ soc: 0.01, charger: [charger(0.5)] });
  strong.setPin('PA4', 'high', 0);
  let s = strong.snapshot(0);
  close((s.loadVolts - s.batteryVolts) * 1000, 75, 1e-6);
  const weak = board({ soc: 0.01, charger: [charger(0.2)] });
  weak.setPin('PA4', 'high', 0);
  s = weak.snapshot(0);
  close((s.loadVolts - s.batteryVolts) * 1000, 30, 1e-6);
});

test('Vl vs Vb: OVLO, main cut, 3.3 V on, charger pushing → Vl − Vb > 5 mV and only the QWIIC current flows', () => {
  // SoC where the LTO OCV is 2.78 V: 98 % + 2 % × 0.16 / 0.18.
  const b = board({ soc: 0.98 + (0.02 * 0.16) / 0.18, load: [cc(0.03, 0, 0.005)], charger: [charger(0.4, 2.85)] });
  b.setPin('PA5', 'low', 0);
  const s = b.snapshot(0);
  close(s.currentAmps, 0.005);
  close(s.batteryVolts, 2.78 - 0.005 * 0.04);
  assert.equal(s.loadVolts, 2.85);
  assert.ok((s.loadVolts - s.batteryVolts) * 1000 > 5);
});

test('Vl vs Vb: OVLO at night, the panel gives nothing → Vl = 0 V, Vb − Vl > 50 mV ("a load is pulling")', () => {
  const b = board({
    soc: 0.99,
    startHour: 22,
    load: [cc(0.03)],
    charger: [{ at: 0, kind: 'solar', peakAmps: 0.4, sunriseHour: 6, sunsetHour: 20, cvVolts: 2.85 }],
  });
  const s = b.snapshot(0);
  assert.equal(s.loadVolts, 0);
  assert.ok((s.batteryVolts - s.loadVolts) * 1000 > 50);
});

test('Vl vs Vb: discharging with the outputs on stays inside the ±50 mV band (200 mA → 30 mV)', () => {
  const b = board({ load: [cc(0.2)] });
  b.setPin('PA4', 'high', 0);
  const s = b.snapshot(0);
  close((s.batteryVolts - s.loadVolts) * 1000, 30, 1e-6);
});

test('board errors: the dividers and the shunt scale what the pins show, the sensor reads temp_k more; the snapshot stays the truth', () => {
  const errors = { vrefPct: 1.5, dividerPct: 1, loadDividerPct: -2, shuntPct: 3, adcOffsetLsb: 2, tempK: -2.5 };
  const ideal = board({ load: [cc(0.3)] });
  const bent = board({ load: [cc(0.3)], errors });
  for (const b of [ideal, bent]) b.setPin('PA4', 'high', 0);
  const si = ideal.snapshot(1);
  const sb = bent.snapshot(1);
  close(sb.batteryVolts, si.batteryVolts);
  close(sb.currentAmps, si.currentAmps);
  // A 3 % larger shunt drops 3 % more, on the reading and on the output (0.3 A × 0.103 Ω).
  close(bent.pinVoltage('PA7', 1) - bent.pinVoltage('PA6', 1), 0.3 * 0.103);
  close(si.loadVolts - sb.loadVolts, 0.3 * 0.003);
  close(bent.pinVoltage('PA2', 1), (sb.batteryVolts / 3) * 1.01);
  close(bent.pinVoltage('PA3', 1), (sb.loadVolts / 3) * 0.98);
  close(bent.temperatureK(1), 298.15 - 2.5);
  close(sb.temperatureK, 298.15);
  // The reference and the offset act in the ADC.
  assert.deepEqual(bent.adcErrors, { referenceScale: 1.015, offsetLsb: 2 });
  assert.deepEqual(ideal.adcErrors, { referenceScale: 1, offsetLsb: 0 });
});
