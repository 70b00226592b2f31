/**
 * The board's DC operating point: which currents flow for a given cell voltage, switch states, load and charger.
 *
 * Topology (all on the positive side; the negative rail is common and is the MCU's GND):
 *
 *   cell EMF E ─ R_int ─ B ──[shunt 0.1 Ω]── N ──[main switch, PA4]── L (output terminal: load + charger)
 *                        │ (PA7, PA2 ÷3,     │ (PA6)                     (PA3 ÷3)
 *                        │  MCU VDD)         └──[3.3 V switch, PA5]── QWIIC load (fixed draw from N)
 *                        └─ MCU + dividers (quiescent, not through the shunt)
 *
 * The load and the charger share the output terminal L. With the main switch open they see only each
 * other: a charger alone sits at its constant-voltage limit; with nothing pushing, L is at 0 V. The
 * switches are ideal (no body diode): an open switch carries no current in either direction.
 * The charger is a current source limited to `amps` until L reaches `cvVolts`, then holds L there; it
 * never sinks current.
 */
import type { ChargerNow, LoadNow } from './schedule.js';

export interface CircuitInput {
  /** Cell open-circuit voltage (V). */
  emf: number;
  /** Internal resistance (Ω). */
  rInt: number;
  rShunt: number;
  rSwitch: number;
  mainOn: boolean;
  qwiicOn: boolean;
  load: LoadNow;
  charger: ChargerNow | undefined;
  quiescentAmps: number;
}

/** Currents in amperes; positive means flowing away from the cell (discharging). */
export interface OperatingPoint {
  /** Out of the cell's terminal (shunt current + quiescent). */
  cellAmps: number;
  /** Through the shunt, B → N: what the firmware measures. */
  shuntAmps: number;
  /** Through the main switch, N → L. */
  mainAmps: number;
  /** Through the 3.3 V switch. */
  qwiicAmps: number;
  /** Into the load at L. */
  loadAmps: number;
  /** Out of the charger into L. */
  chargerAmps: number;
  /** L's voltage when the main switch is open (unused while it is closed). */
  openOutputVolts: number;
  /** What the charger is doing: current-limited, holding its voltage limit, or nothing. */
  chargerMode: 'cc' | 'cv' | 'none';
}

/** Output terminal voltage with the main switch open: the charger against the load alone. */
function openOutput(load: LoadNow, charger: ChargerNow | undefined): { volts: number; mode: 'cc' | 'cv' | 'none' } {
  if (!charger) return { volts: 0, mode: 'none' };
  if (load.siemens > 0) {
    const v = (charger.amps - load.amps) / load.siemens;
    if (v >= charger.cvVolts) return { volts: charger.cvVolts, mode: 'cv' };
    return { volts: Math.max(0, v), mode: 'cc' };
  }
  // A pure current sink: the charger either out-pushes it (up to the CV limit) or is dragged to 0 V.
  return charger.amps > load.amps ? { volts: charger.cvVolts, mode: 'cv' } : { volts: 0, mode: 'cc' };
}

export function solveOperatingPoint(c: CircuitInput): OperatingPoint {
  const qwiicAmps = c.qwiicOn ? c.load.qwiicAmps : 0;
  const open = openOutput(c.load, c.charger);
  if (!c.mainOn) {
    const loadAmps = c.load.amps > 0 && open.volts > 0 ? c.load.amps : 0;
    return {
      cellAmps: qwiicAmps + c.quiescentAmps,
      shuntAmps: qwiicAmps,
      mainAmps: 0,
      qwiicAmps,
      loadAmps: loadAmps + open.volts * c.load.siemens,
      chargerAmps: c.charger ? Math.min(c.charger.amps, loadAmps + open.volts * c.load.siemens) : 0,
      openOutputVolts: open.volts,
      chargerMode: open.mode,
    };
  }
  // Thevenin source seen from L: the fixed QWIIC and quiescent draws already taken off.
  const source = c.emf - (qwiicAmps + c.quiescentAmps) * c.rInt - qwiicAmps * c.rShunt;
  const rSeries = c.rInt + c.rShunt + c.rSwitch;
  const withCharger = (chargerAmps: number) =>
    (source - rSeries * (c.load.amps - chargerAmps)) / (1 + rSeries * c.load.siemens);
  let chargerAmps = c.charger?.amps ?? 0;
  let mode: OperatingPoint['chargerMode'] = c.charger ? 'cc' : 'none';
  let vLoad = withCharger(chargerAmps);
  if (c.charger && vLoad > c.charger.cvVolts) {
    vLoad = c.charger.cvVolts;
    chargerAmps = c.load.amps + vLoad * c.load.siemens - (source - vLoad) / rSeries;
    mode = 'cv';
    if (chargerAmps < 0) {
      // The cell alone holds L above the charger's limit: the charger delivers nothing.
      chargerAmps = 0;
      mode = 'none';
      vLoad = withCharger(0);
    }
  }
  // From the load side, so that a constant-current load gives exactly its current (no rounding through R).
  const mainAmps = vLoad > 0 ? c.load.amps + vLoad * c.load.siemens - chargerAmps : source / rSeries;
  vLoad = Math.max(0, vLoad);
  const shuntAmps = mainAmps + qwiicAmps;
  return {
    cellAmps: shuntAmps + c.quiescentAmps,
    shuntAmps,
    mainAmps,
    qwiicAmps,
    loadAmps: mainAmps + chargerAmps,
    chargerAmps,
    openOutputVolts: open.volts,
    chargerMode: mode,
  };
}
