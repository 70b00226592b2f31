/**
 * A test-only stand-in for the firmware: the protection state machine exactly as HARDWARE.md states it,
 * evaluated once per simulated second on the board model's true values (no ADC, no quantisation).
 * It lets the board tests check that the model produces the situations the state machine depends on,
 * and that each example scenario's `expect` hints are consistent with the documented rules.
 */
import { VirtualBoard } from '../../../src/sim/board/board.js';
import type { BmsState, Scenario } from '../../../src/sim/scenario/types.js';

/** HARDWARE.md defaults per chemistry (mV, mA, s), restated here as the datasheet-style literals they are. */
const DEFAULT_LIMITS = {
  LTO: { ovloCutoff: 2800, ovloRelease: 2700, uvloRelease: 1800, uvloCutoff: 1700, maxCurrent: 1000, ocloTimeout: 10 },
  NAION: { ovloCutoff: 3900, ovloRelease: 3800, uvloRelease: 2200, uvloCutoff: 2000, maxCurrent: 1000, ocloTimeout: 10 },
};

export interface ReferenceRun {
  /** Every state change, in order (starting with the first state). */
  states: BmsState[];
  /** When each of `states` began (s). */
  times: number[];
  final: BmsState;
  mainOn: boolean;
  qwiicOn: boolean;
  board: VirtualBoard;
}

export function runReference(scenario: Scenario, seconds = scenario.durationSeconds ?? 60): ReferenceRun {
  const overrides = scenario.eeprom?.kind === 'fields' ? scenario.eeprom.fields : {};
  const limits = { ...DEFAULT_LIMITS[scenario.chemistry], ...overrides };
  const board = new VirtualBoard(scenario.board);
  let state = 'BMS_STATE_IDLE' as BmsState;
  const states: BmsState[] = [state];
  const times = [0];
  let now = 0;
  let ocloSince = 0;
  const outputs = (main: boolean, qwiic: boolean, t: number) => {
    board.setPin('PA4', main ? 'high' : 'input', t);
    board.setPin('PA5', qwiic ? 'low' : 'input', t);
  };
  const enter = (next: BmsState) => {
    if (next !== state) {
      states.push(next);
      times.push(now);
    }
    state = next;
  };
  for (let t = 1; t <= seconds; t++) {
    now = t;
    const s = board.snapshot(t);
    const vb = s.batteryVolts * 1000;
    const vl = s.loadVolts * 1000;
    const raw = s.currentAmps * 1000;
    const current = Math.abs(raw) <= 2 ? 0 : raw;
    switch (state) {
      case 'BMS_STATE_UVLO':
        if (vb >= limits.uvloRelease) enter('BMS_STATE_IDLE');
        else outputs(vl > vb + 50, vl > vb + 50, t);
        break;
      case 'BMS_STATE_OVLO':
        if (vb <= limits.ovloRelease) enter('BMS_STATE_IDLE');
        else if (vb > vl + 50) outputs(true, true, t);
        else if (vl > vb + 5) outputs(false, true, t);
        break;
      case 'BMS_STATE_OCLO':
        if (t - ocloSince > limits.ocloTimeout) {
          outputs(true, true, t);
          enter('BMS_STATE_IDLE');
        } else outputs(false, false, t);
        break;
      default:
        if (vb <= limits.uvloCutoff) {
          enter('BMS_STATE_UVLO');
          outputs(false, false, t);
        } else if (vb >= limits.ovloCutoff) {
          enter('BMS_STATE_OVLO');
          if (vl > vb + 5) outputs(false, true, t);
        } else if (current > limits.maxCurrent) {
          enter('BMS_STATE_OCLO');
          ocloSince = t;
          outputs(false, false, t);
        } else {
          outputs(true, true, t);
          enter(current > 0 ? 'BMS_STATE_DISCHARGING' : current < 0 ? 'BMS_STATE_CHARGING' : 'BMS_STATE_IDLE');
        }
    }
  }
  return { states, times, final: state, mainOn: board.mainOn, qwiicOn: board.qwiicOn, board };
}

/** True when `wanted` occurs in `seen` in order (other entries may come between). */
export function isSubsequence<T>(wanted: readonly T[], seen: readonly T[]): boolean {
  let i = 0;
  for (const s of seen) if (i < wanted.length && s === wanted[i]) i++;
  return i === wanted.length;
}
