/**
 * Component tolerances of one board: what makes a real board read its cell a little wrong, and what
 * `ltobms calibrate` corrects (docs/scenarios.md, "Board tolerances"). All zero is the ideal board.
 *
 * Where each error acts:
 * - `vrefPct`: the ADC's internal reference is Vref × (1 + vrefPct/100) in every conversion (the
 *   firmware still computes with the nominal Vref, so every voltage and current reads low when the
 *   reference is high). The temperature sensor is exempt: its factory calibration (SIGROW) was
 *   measured against the part's own reference, so that error is already in it.
 * - `dividerPct` / `loadDividerPct`: the battery (PA2) / load (PA3) divider ratio is 1/3 × (1 + pct/100).
 * - `shuntPct`: the shunt is 0.1 Ω × (1 + pct/100); the circuit carries it too (the load sees the
 *   extra drop), not only the reading.
 * - `adcOffsetLsb`: added to every 12-bit conversion result after the PGA (so 16 × in the firmware's
 *   16-sample sums), clamped to the ADC's range.
 * - `tempK`: the temperature sensor reads the die temperature plus this.
 */
import { mulberry32 } from '../wire/faults.js';

export interface BoardErrors {
  vrefPct: number;
  dividerPct: number;
  loadDividerPct: number;
  shuntPct: number;
  adcOffsetLsb: number;
  tempK: number;
}

export const NO_BOARD_ERRORS: Readonly<BoardErrors> = Object.freeze({ vrefPct: 0, dividerPct: 0, loadDividerPct: 0, shuntPct: 0, adcOffsetLsb: 0, tempK: 0 });

/** One tolerance as a scenario names it, with the range a scenario may set and the spread of a plausible board. */
export interface BoardErrorKey {
  key: keyof BoardErrors;
  /** Its name in a scenario's `board.errors`. */
  name: string;
  unit: string;
  /** What a scenario may ask for: wide enough to test a calibration that must be refused. */
  limit: number;
  integer: boolean;
  /** ± of a plausible board, for `--board-errors random`. */
  plausible: number;
  /** Decimal places a random draw keeps. */
  decimals: number;
}

/*
 * Plausible spreads: the tinyAVR 2-series data sheet gives its internal references a few per cent
 * over temperature and supply (we take ±1.5 %), 1 % resistors for the dividers and the shunt, an
 * offset of a couple of LSB, and a factory-calibrated temperature sensor good to about ±3 K.
 */
export const BOARD_ERROR_KEYS: readonly BoardErrorKey[] = [
  { key: 'vrefPct', name: 'vref_pct', unit: '%', limit: 10, integer: false, plausible: 1.5, decimals: 2 },
  { key: 'dividerPct', name: 'divider_pct', unit: '%', limit: 10, integer: false, plausible: 1, decimals: 2 },
  { key: 'loadDividerPct', name: 'load_divider_pct', unit: '%', limit: 10, integer: false, plausible: 1, decimals: 2 },
  { key: 'shuntPct', name: 'shunt_pct', unit: '%', limit: 10, integer: false, plausible: 1, decimals: 2 },
  { key: 'adcOffsetLsb', name: 'adc_offset_lsb', unit: 'LSB', limit: 64, integer: true, plausible: 2, decimals: 0 },
  { key: 'tempK', name: 'temp_k', unit: 'K', limit: 20, integer: false, plausible: 3, decimals: 1 },
];

/** A plausible board: every tolerance drawn uniformly within its plausible spread, from `seed`. */
export function randomBoardErrors(seed: number): BoardErrors {
  // The wire's fault generator: seeded, so the same seed gives the same board on every machine.
  const next = mulberry32(seed);
  const errors = { ...NO_BOARD_ERRORS };
  for (const k of BOARD_ERROR_KEYS) {
    const v = (next() * 2 - 1) * k.plausible;
    const scale = 10 ** k.decimals;
    // + 0 turns a rounded -0 into 0.
    errors[k.key] = Math.round(v * scale) / scale + 0;
  }
  return errors;
}

/** One line: `vref_pct +1.12, divider_pct -0.40, …` (the scenario's names, so it can be pasted back). */
export function describeBoardErrors(errors: BoardErrors): string {
  return BOARD_ERROR_KEYS.map((k) => {
    const v = errors[k.key];
    return `${k.name} ${v >= 0 ? '+' : ''}${v.toFixed(k.decimals)}`;
  }).join(', ');
}

/** The errors with the scenario's names as keys (for --json and for pasting into a scenario). */
export function boardErrorsRecord(errors: BoardErrors): Record<string, number> {
  return Object.fromEntries(BOARD_ERROR_KEYS.map((k) => [k.name, errors[k.key]]));
}

/** `--board-errors random` or `random:SEED`: a plausible board, from the seed if one is given. */
export function parseBoardErrorsSpec(text: string): { seed: number | undefined } | undefined {
  const m = /^random(?::(\d{1,10}))?$/i.exec(text.trim());
  if (!m) return undefined;
  const seed = m[1] === undefined ? undefined : Number(m[1]);
  if (seed !== undefined && seed > 0xffffffff) return undefined;
  return { seed };
}
