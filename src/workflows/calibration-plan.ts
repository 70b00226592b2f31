/**
 * From a board's frames and the values a user measured to the calibration block that makes the board
 * read those values (docs/calibration.md, "Calibrating a board"). Pure: frames and references in, a
 * plan out (the new block, a before/after row per quantity, and what is implausible); no I/O.
 *
 * The frames already carry the board's current calibration, so each correction is computed on the
 * raw reading it implies and replaces the old one (a board can be calibrated again):
 * - a voltage (one reference point): gain only, offset kept — gain' = (reference − offset) / raw;
 * - the current with a load (`currentMa`, either sign): gain' = gain × reference / reading;
 * - the current with nothing attached (`zero`): the reading at the PGA gain in use, back in counts of
 *   the 16-sample differential sum, is added to the offset (the firmware subtracts it before
 *   converting, so it is right at every gain);
 * - the temperature: offset' = offset + reference − reading (whole kelvin).
 */
import { applyCurrentGain, applyVoltage, GAIN_ONE, type Calibration, type LinearCal } from '../eeprom/calibration.js';
import type { Frame, Measurement } from '../logging/frame.js';

/** What the user measured (multimeter, thermometer); leave out what was not measured. */
export interface CalibrationReferences {
  vbattMv?: number;
  vloadMv?: number;
  /** Through the shunt, > 0 discharging, < 0 charging. */
  currentMa?: number;
  tempC?: number;
  /** Nothing attached: the current is 0, and its reading is the ADC's offset. */
  zero?: boolean;
}

export type Quantity = 'v_batt' | 'v_load' | 'current' | 'temp';
export const QUANTITY_UNITS: Readonly<Record<Quantity, string>> = { v_batt: 'mV', v_load: 'mV', current: 'mA', temp: 'K' };

/** One line of the before/after table. */
export interface CalibrationRow {
  quantity: Quantity;
  unit: string;
  /** The board's reading (mean of the frames), with its calibration before this run. */
  reading: number;
  reference: number;
  /** What the board will read with the new calibration, from the same raw reading. */
  predicted: number;
  /** What changed: the field's value before and after (gain as a factor, offsets in their units). */
  change: { field: string; before: number; after: number; unit: string };
}

/** A correction a board's parts cannot explain: refused unless --force. */
export interface Implausible {
  quantity: Quantity;
  reason: string;
}

export interface CalibrationPlan {
  calibration: Calibration;
  rows: CalibrationRow[];
  implausible: Implausible[];
}

/**
 * Limits of a plausible correction, from the parts' tolerances (docs/calibration.md): a reference a
 * few per cent off, 1 % resistors, a couple of LSB of ADC offset, a sensor good to a few kelvin.
 */
export const PLAUSIBLE = {
  /** |gain − 1|. */
  gain: 0.05,
  /** |current offset|, counts of the 16-sample sum: 16 LSB per conversion. */
  currentOffsetCounts: 256,
  /** |temperature offset of the block|, K. */
  tempOffsetK: 10,
} as const;

/** A current gain from less than this is mostly the reading's rounding (1 mA steps). */
export const MIN_CURRENT_FOR_GAIN_MA = 50;

/** ADC reference of each build (docs/hardware.md, "ADC front end"): what a frame's counts are relative to. */
export const VREF_MV: Readonly<Record<Measurement, number>> = { 'lto-bms': 1024, 'nai-bms': 2048 };

const KELVIN_AT_0C = 273.15;

/** Why a reference cannot be used at all (not a matter of --force). */
export class CalibrationInputError extends Error {
  constructor(
    readonly quantity: Quantity,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const gainFactor = (q15: number) => round(q15 / GAIN_ONE, 5);

function voltageRow(quantity: 'v_batt' | 'v_load', frames: readonly Frame[], referenceMv: number, old: LinearCal): { cal: LinearCal; row: CalibrationRow; implausible?: Implausible } {
  const reading = mean(frames.map((f) => f[quantity]));
  const raw = ((reading - old.offset) * GAIN_ONE) / old.gain;
  if (!(raw >= 1)) {
    throw new CalibrationInputError(quantity, `${quantity} reads ${round(reading)} mV: nothing to scale to the ${referenceMv} mV measured`, quantity === 'v_load' ? 'measure the load terminal while the output is on (not in UVLO, OVLO or OCLO), or leave --vload out' : 'check that the board measures its cell (the frames show v_batt 0)');
  }
  const gain = Math.round(((referenceMv - old.offset) * GAIN_ONE) / raw);
  const cal = { gain, offset: old.offset };
  const row: CalibrationRow = {
    quantity,
    unit: 'mV',
    reading: round(reading),
    reference: referenceMv,
    predicted: applyVoltage(Math.round(raw), cal),
    change: { field: `${quantity.replace('_', '')}_gain`, before: gainFactor(old.gain), after: gainFactor(gain), unit: '×' },
  };
  const off = gain / GAIN_ONE - 1;
  const implausible = Math.abs(off) > PLAUSIBLE.gain ? { quantity, reason: `${quantity} reads ${round(reading)} mV against ${referenceMv} mV measured: a gain of ${gainFactor(gain)} (${signed(off * 100)} %) is beyond the ±${PLAUSIBLE.gain * 100} % a board's parts explain` } : undefined;
  return { cal, row, implausible };
}

function currentGainRow(frames: readonly Frame[], referenceMa: number, old: LinearCal): { cal: LinearCal; row: CalibrationRow; implausible?: Implausible } {
  const reading = mean(frames.map((f) => f.current));
  if (Math.abs(referenceMa) < MIN_CURRENT_FOR_GAIN_MA) {
    throw new CalibrationInputError('current', `--current ${referenceMa} mA is too small to set the current's gain (the reading has 1 mA steps)`, `let ${MIN_CURRENT_FOR_GAIN_MA} mA or more flow (either way) for --current; with nothing attached use --zero`);
  }
  if (reading === 0 || Math.sign(reading) !== Math.sign(referenceMa)) {
    throw new CalibrationInputError('current', `the board reads ${round(reading)} mA while ${referenceMa} mA was measured: ${reading === 0 ? 'no current flows through the shunt' : 'the signs differ'}`, 'positive is discharging (battery → load), negative charging; measure in series with the load or charger while the output is on');
  }
  const gain = Math.round((old.gain * referenceMa) / reading);
  const raw = (reading * GAIN_ONE) / old.gain;
  const cal = { gain, offset: old.offset };
  const off = gain / GAIN_ONE - 1;
  return {
    cal,
    row: {
      quantity: 'current',
      unit: 'mA',
      reading: round(reading),
      reference: referenceMa,
      predicted: applyCurrentGain(Math.round(raw), cal),
      change: { field: 'current_gain', before: gainFactor(old.gain), after: gainFactor(gain), unit: '×' },
    },
    implausible: Math.abs(off) > PLAUSIBLE.gain ? { quantity: 'current', reason: `current reads ${round(reading)} mA against ${referenceMa} mA measured: a gain of ${gainFactor(gain)} (${signed(off * 100)} %) is beyond the ±${PLAUSIBLE.gain * 100} % a board's parts explain` } : undefined,
  };
}

/** Counts of the 16-sample differential sum that a frame's mA reading stands for at its PGA gain. */
export function currentCounts(ma: number, pgaGain: number, measurement: Measurement): number {
  // docs/hardware.md: mA = sum × Vref / (32768 × gain) / 0.1 Ω, so sum = mA × 32768 × gain / (Vref × 10).
  return (ma * GAIN_ONE * pgaGain) / (VREF_MV[measurement] * 10);
}

function currentZeroRow(frames: readonly Frame[], old: LinearCal): { cal: LinearCal; row: CalibrationRow; implausible?: Implausible } {
  const reading = mean(frames.map((f) => f.current));
  // The reading is after the old gain; the offset acts before it.
  const counts = mean(frames.map((f) => currentCounts((f.current * GAIN_ONE) / old.gain, f.gain, f.measurement)));
  const offset = old.offset + Math.round(counts);
  const implausible = Math.abs(offset) > PLAUSIBLE.currentOffsetCounts ? { quantity: 'current' as const, reason: `current reads ${round(reading)} mA with nothing attached: an offset of ${offset} ADC counts is beyond the ±${PLAUSIBLE.currentOffsetCounts} an ADC's offset explains (is something still attached?)` } : undefined;
  return {
    cal: { gain: old.gain, offset },
    row: { quantity: 'current', unit: 'mA', reading: round(reading), reference: 0, predicted: 0, change: { field: 'current_offset', before: old.offset, after: offset, unit: 'counts' } },
    implausible,
  };
}

function tempRow(frames: readonly Frame[], referenceC: number, oldOffsetK: number): { tempOffsetK: number; row: CalibrationRow; implausible?: Implausible } {
  const reading = mean(frames.map((f) => f.temp));
  const referenceK = round(referenceC + KELVIN_AT_0C, 2);
  const shift = Math.round(referenceK - reading);
  const tempOffsetK = oldOffsetK + shift;
  return {
    tempOffsetK,
    row: { quantity: 'temp', unit: 'K', reading: round(reading), reference: referenceK, predicted: Math.round(reading) + shift, change: { field: 'temp_offset_cal', before: oldOffsetK, after: tempOffsetK, unit: 'K' } },
    implausible: Math.abs(tempOffsetK) > PLAUSIBLE.tempOffsetK ? { quantity: 'temp', reason: `temp reads ${round(reading)} K against ${referenceK} K measured: an offset of ${tempOffsetK} K is beyond the ±${PLAUSIBLE.tempOffsetK} K a calibrated sensor explains` } : undefined,
  };
}

function signed(v: number): string {
  const r = round(v, 2);
  return `${r >= 0 ? '+' : ''}${r}`;
}

/** The new calibration from `frames` (measured with `old` in force) and the user's references. */
export function planCalibration(frames: readonly Frame[], references: CalibrationReferences, old: Calibration): CalibrationPlan {
  if (!frames.length) throw new Error('internal: planCalibration without frames');
  const calibration: Calibration = { vbatt: { ...old.vbatt }, vload: { ...old.vload }, current: { ...old.current }, tempOffsetK: old.tempOffsetK };
  const rows: CalibrationRow[] = [];
  const implausible: Implausible[] = [];
  const take = <R extends { row: CalibrationRow; implausible?: Implausible }>(r: R): R => {
    rows.push(r.row);
    if (r.implausible) implausible.push(r.implausible);
    return r;
  };
  if (references.vbattMv !== undefined) calibration.vbatt = take(voltageRow('v_batt', frames, references.vbattMv, old.vbatt)).cal;
  if (references.vloadMv !== undefined) calibration.vload = take(voltageRow('v_load', frames, references.vloadMv, old.vload)).cal;
  if (references.currentMa !== undefined) calibration.current = take(currentGainRow(frames, references.currentMa, old.current)).cal;
  else if (references.zero) calibration.current = take(currentZeroRow(frames, old.current)).cal;
  if (references.tempC !== undefined) calibration.tempOffsetK = take(tempRow(frames, references.tempC, old.tempOffsetK)).tempOffsetK;
  return { calibration, rows, implausible };
}

/** How far a confirming reading may be from its reference (docs/calibration.md). */
export function confirmTolerance(quantity: Quantity, reference: number): number {
  switch (quantity) {
    case 'v_batt':
    case 'v_load':
      return 3 + Math.abs(reference) * 0.001;
    case 'current':
      return 2 + Math.abs(reference) * 0.005;
    case 'temp':
      return 1;
  }
}

/** The quantity's mean reading over frames. */
export function meanReading(frames: readonly Frame[], quantity: Quantity): number {
  return round(mean(frames.map((f) => f[quantity])));
}
