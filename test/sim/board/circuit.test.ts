import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close } from './assert-close.js';
import { solveOperatingPoint, type CircuitInput } from '../../../src/sim/board/circuit.js';

// A 2.3 V cell with 40 mΩ, the 0.1 Ω shunt and a 50 mΩ switch: 0.19 Ω from EMF to the output terminal.
function input(over: Partial<CircuitInput>): CircuitInput {
  return {
    emf: 2.3,
    rInt: 0.04,
    rShunt: 0.1,
    rSwitch: 0.05,
    mainOn: true,
    qwiicOn: false,
    load: { amps: 0, siemens: 0, qwiicAmps: 0 },
    charger: undefined,
    quiescentAmps: 0,
    ...over,
  };
}

test('a constant-current load draws exactly its current through the shunt', () => {
  const op = solveOperatingPoint(input({ load: { amps: 0.2, siemens: 0, qwiicAmps: 0 } }));
  assert.equal(op.shuntAmps, 0.2);
  assert.equal(op.cellAmps, 0.2);
  assert.equal(op.loadAmps, 0.2);
  assert.equal(op.chargerMode, 'none');
});

test('a resistive load: I = E / (R_load + 0.19 Ω)', () => {
  const op = solveOperatingPoint(input({ load: { amps: 0, siemens: 1 / 10, qwiicAmps: 0 } }));
  close(op.shuntAmps, 2.3 / 10.19);
});

test('the 3.3 V output and the quiescent draw: the shunt sees the first, the cell both', () => {
  const op = solveOperatingPoint(
    input({ qwiicOn: true, quiescentAmps: 10e-6, load: { amps: 0, siemens: 1 / 10, qwiicAmps: 0.005 } }),
  );
  // The QWIIC current drops 0.005 A × (0.04 + 0.1) Ω and the quiescent 10 µA × 0.04 Ω before the switch.
  const main = (2.3 - 0.005 * 0.14 - 10e-6 * 0.04) / 10.19;
  close(op.mainAmps, main);
  close(op.shuntAmps, main + 0.005);
  close(op.cellAmps, main + 0.005 + 10e-6);
});

test('a charger stronger than the load charges the cell by the difference (CC)', () => {
  const op = solveOperatingPoint(
    input({ load: { amps: 0.2, siemens: 0, qwiicAmps: 0 }, charger: { amps: 0.5, cvVolts: 2.85 } }),
  );
  // Terminal 2.3 + 0.3 × 0.19 = 2.357 V, below 2.85 V: the charger stays current-limited.
  assert.equal(op.chargerMode, 'cc');
  assert.equal(op.chargerAmps, 0.5);
  close(op.shuntAmps, -0.3);
});

test('the CV limit: the terminal is held at cv and the current is what that allows', () => {
  const op = solveOperatingPoint(input({ emf: 2.78, charger: { amps: 1, cvVolts: 2.85 } }));
  // CC would push the terminal to 2.78 + 1 × 0.19 = 2.97 V > 2.85 V, so: I = (2.85 − 2.78) / 0.19.
  assert.equal(op.chargerMode, 'cv');
  close(op.chargerAmps, 0.07 / 0.19);
  close(op.shuntAmps, -0.07 / 0.19);
});

test('a cell above the charger limit gets nothing from it (a charger never sinks)', () => {
  const op = solveOperatingPoint(
    input({ emf: 2.9, load: { amps: 0.1, siemens: 0, qwiicAmps: 0 }, charger: { amps: 0.5, cvVolts: 2.85 } }),
  );
  assert.equal(op.chargerMode, 'none');
  assert.equal(op.chargerAmps, 0);
  close(op.shuntAmps, 0.1);
});

test('main switch open: no current through it; the terminal is the charger against the load', () => {
  const off = (load: CircuitInput['load'], charger: CircuitInput['charger']) =>
    solveOperatingPoint(input({ mainOn: false, load, charger }));
  // 100 mA into 10 Ω: 1.0 V, below the CV limit.
  let op = off({ amps: 0, siemens: 0.1, qwiicAmps: 0 }, { amps: 0.1, cvVolts: 2.85 });
  close(op.openOutputVolts, 1.0);
  assert.equal(op.shuntAmps, 0);
  assert.equal(op.mainAmps, 0);
  // 100 mA into 100 Ω would be 10 V: the charger holds 2.85 V.
  op = off({ amps: 0, siemens: 0.01, qwiicAmps: 0 }, { amps: 0.1, cvVolts: 2.85 });
  assert.equal(op.openOutputVolts, 2.85);
  assert.equal(op.chargerMode, 'cv');
  // A 300 mA sink drags a 200 mA charger to 0 V; a 50 mA sink does not.
  assert.equal(off({ amps: 0.3, siemens: 0, qwiicAmps: 0 }, { amps: 0.2, cvVolts: 2.85 }).openOutputVolts, 0);
  assert.equal(off({ amps: 0.05, siemens: 0, qwiicAmps: 0 }, { amps: 0.2, cvVolts: 2.85 }).openOutputVolts, 2.85);
  // Nothing pushing: 0 V.
  assert.equal(off({ amps: 0.05, siemens: 0, qwiicAmps: 0 }, undefined).openOutputVolts, 0);
});

test('main open, 3.3 V on: the shunt carries only the QWIIC draw', () => {
  const op = solveOperatingPoint(
    input({ mainOn: false, qwiicOn: true, load: { amps: 0.03, siemens: 0, qwiicAmps: 0.002 }, charger: { amps: 0.4, cvVolts: 2.85 } }),
  );
  assert.equal(op.shuntAmps, 0.002);
  assert.equal(op.openOutputVolts, 2.85);
});
