/**
 * The board model's configuration, in SI units (A, V, Ω, s, K).
 * Scenario files use the firmware's units (mA, mV, mΩ) and are converted by src/sim/scenario.
 */

import type { Chemistry } from '../../part/chemistry.js';
import type { BoardErrors } from './errors.js';

export type { Chemistry };

export interface CellConfig {
  /** Rated capacity (mAh): 100 % state of charge. */
  capacityMah: number;
  /** State of charge at t = 0 (0–1). */
  initialSoc: number;
  /** Internal (DC) resistance at 25 °C (Ω). */
  resistanceOhm: number;
  /**
   * Relative change of the internal resistance per kelvin below 25 °C (1/K): R(T) = R25·(1 + tc·(25 °C − T)),
   * never below R25/5. 0 makes the resistance independent of temperature.
   */
  resistanceTempCoeff: number;
}

/** What draws current from the main output (and from the 3.3 V output) from `at` on. */
export type LoadSegment = { at: number; qwiicAmps: number } & (
  | { kind: 'off' }
  | { kind: 'current'; amps: number }
  | { kind: 'resistance'; ohms: number }
);

/** What pushes current into the main output from `at` on. Both sources stop rising at `cvVolts`. */
export type ChargerSegment = { at: number } & (
  | { kind: 'off' }
  | { kind: 'cc'; amps: number; cvVolts: number }
  | { kind: 'solar'; peakAmps: number; sunriseHour: number; sunsetHour: number; cvVolts: number }
);

export type TemperatureProfile =
  | { kind: 'constant'; kelvin: number }
  /** A daily sine: `maxK` at `peakHour`, `minK` twelve hours away from it. */
  | { kind: 'daily'; minK: number; maxK: number; peakHour: number };

export interface BoardConfig {
  chemistry: Chemistry;
  cell: CellConfig;
  /** Segments sorted by strictly increasing `at`; before the first one nothing is connected. */
  load: LoadSegment[];
  charger: ChargerSegment[];
  temperature: TemperatureProfile;
  /** Time of day (hours, 0–24) at t = 0: the clock of solar chargers and daily temperatures. */
  startHour: number;
  /** On-resistance of the main output switch (Ω). */
  switchOhm: number;
  /** Current the MCU and dividers take straight from the cell, not through the shunt (A). */
  quiescentAmps: number;
  /** Longest time (s) the model holds a current constant before re-solving the circuit. */
  stepSeconds: number;
  /** Component tolerances (errors.ts); none: the ideal board. */
  errors?: BoardErrors;
}
