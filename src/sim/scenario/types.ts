/** A scenario after validation: the board model's configuration plus what the run needs around it. */
import type { EepromConfig } from '../../eeprom/image.js';
import type { BmsState } from '../../logging/frame.js';
import type { BoardConfig, Chemistry } from '../board/types.js';

export { BMS_STATES, type BmsState } from '../../logging/frame.js';
/** EEPROM configuration fields a scenario may set. */
export type EepromFields = EepromConfig;

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
