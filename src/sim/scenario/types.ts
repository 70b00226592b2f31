/** A scenario after validation: the board model's configuration plus what the run needs around it. */
import type { BoardConfig, Chemistry } from '../board/types.js';

/** Firmware states, numbered 0–7 in this order (HARDWARE.md, *compat*). */
export const BMS_STATES = [
  'BMS_STATE_INVALID',
  'BMS_STATE_UVLO',
  'BMS_STATE_OVLO',
  'BMS_STATE_OCLO',
  'BMS_STATE_CHARGING',
  'BMS_STATE_DISCHARGING',
  'BMS_STATE_IDLE',
  'BMS_STATE_ERR',
] as const;
export type BmsState = (typeof BMS_STATES)[number];

/** EEPROM configuration fields a scenario may set (names as in src/eeprom's EepromConfig). */
export interface EepromFields {
  serialNumber: number;
  tempOffset: number;
  ovloCutoff: number;
  ovloRelease: number;
  uvloRelease: number;
  uvloCutoff: number;
  maxCurrent: number;
  ocloTimeout: number;
}

export type EepromOverrides =
  /** Fields to change from the chemistry's defaults; the runner encodes the 20-byte image with a valid CRC. */
  | { kind: 'fields'; fields: Partial<EepromFields> }
  /** Exact EEPROM bytes from offset 0 (e.g. a corrupt image, to see the firmware restore its defaults). */
  | { kind: 'raw'; bytes: Uint8Array };

/** Hints for whoever runs the scenario (tests, `ltobms sim`): what the firmware should do. */
export interface ScenarioExpectations {
  /** States that must occur in this order (other states may come between them). */
  states?: BmsState[];
  /** The state at the end of the run. */
  finalState?: BmsState;
  /** Output switches at the end of the run. */
  finalOutputs?: { main?: boolean; qwiic?: boolean };
  /** At least this many log frames. */
  minFrames?: number;
}

export interface Scenario {
  /** Where it came from (file path, or `built-in`). */
  source: string;
  name: string;
  description?: string;
  chemistry: Chemistry;
  /** Simulated run time (s); undefined = until stopped. */
  durationSeconds?: number;
  board: BoardConfig;
  eeprom?: EepromOverrides;
  expect: ScenarioExpectations;
}
