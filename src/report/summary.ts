/**
 * What a report says about one board, computed from its frames: the period, energy in and out,
 * time in each protection state, the lowest and highest cell voltage, and the lockout episodes
 * (UVLO / OVLO / OCLO) with when they began and ended. Pure functions over typed points.
 */
import type { BmsState, Point } from '../logging/frame.js';
import type { BoardPoints } from './data.js';

/** The protection lockouts a report marks and names. */
export const LOCKOUTS = ['UVLO', 'OVLO', 'OCLO'] as const;
export type Lockout = (typeof LOCKOUTS)[number];

/** `BMS_STATE_UVLO` → `UVLO`. */
export const stateName = (state: BmsState): string => state.slice('BMS_STATE_'.length);

export interface Episode {
  state: Lockout;
  /** The first frame in the lockout (ms since the epoch). */
  fromMs: number;
  /** The first frame after it, or the last frame in it when the data ends there. */
  toMs: number;
  /** True when the data ends inside the episode. */
  open: boolean;
}

export interface Extreme {
  mV: number;
  atMs: number;
}

export interface BoardSummary {
  series: string;
  id: string;
  chemistry: 'LTO' | 'Na-ion';
  frames: number;
  fromMs: number;
  toMs: number;
  /** Energy out of the cell (sum of the rises of the E_dis counter), mWh. */
  energyOutMWh: number;
  /** Energy into the cell (sum of the rises of E_chg), mWh. */
  energyInMWh: number;
  vBattMin: Extreme;
  vBattMax: Extreme;
  /** Seconds in each state (by short name), from each frame to the next. */
  stateSeconds: Record<string, number>;
  /** Seconds between frames too far apart to say what happened (logger or board off). */
  gapSeconds: number;
  episodes: Episode[];
}

const msOf = (p: Point): number => Number(p.timeNs / 1_000_000n) + Number(p.timeNs % 1_000_000n) / 1e6;

/**
 * The sum of a counter's rises. The firmware's energy counters only grow while it runs and start
 * again from 0 after a reset, so a drop means a restart: the new value is all new energy.
 */
export function counterRise(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    total += d >= 0 ? d : Math.max(0, values[i]!);
  }
  return total;
}

/** The usual spacing of the frames (the median interval), in ms. */
function typicalIntervalMs(times: readonly number[]): number {
  const steps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return steps.length ? steps[Math.floor(steps.length / 2)]! : 0;
}

export function summarise(board: BoardPoints): BoardSummary {
  const pts = board.points;
  if (pts.length === 0) throw new Error(`no points for ${board.series}`);
  const times = pts.map(msOf);
  // More than five frame periods without a frame is a gap: no state is claimed for it.
  const maxStepMs = 5 * Math.max(typicalIntervalMs(times), 1000);
  const stateSeconds: Record<string, number> = {};
  let gapSeconds = 0;
  let min = pts[0]!;
  let max = pts[0]!;
  const episodes: Episode[] = [];
  let open: Episode | undefined;
  pts.forEach((p, i) => {
    if (p.frame.v_batt < min.frame.v_batt) min = p;
    if (p.frame.v_batt > max.frame.v_batt) max = p;
    const name = stateName(p.frame.state);
    if (open && open.state !== name) {
      open.toMs = times[i]!;
      open.open = false;
      open = undefined;
    }
    if (!open && (LOCKOUTS as readonly string[]).includes(name)) {
      open = { state: name as Lockout, fromMs: times[i]!, toMs: times[i]!, open: true };
      episodes.push(open);
    }
    if (open) open.toMs = Math.max(open.toMs, times[i]!);
    if (i + 1 < pts.length) {
      const step = times[i + 1]! - times[i]!;
      if (step <= maxStepMs) stateSeconds[name] = (stateSeconds[name] ?? 0) + step / 1000;
      else gapSeconds += step / 1000;
    }
  });
  return {
    series: board.series,
    id: board.id,
    chemistry: board.measurement === 'nai-bms' ? 'Na-ion' : 'LTO',
    frames: pts.length,
    fromMs: times[0]!,
    toMs: times.at(-1)!,
    energyOutMWh: counterRise(pts.map((p) => p.frame.E_dis)),
    energyInMWh: counterRise(pts.map((p) => p.frame.E_chg)),
    vBattMin: { mV: min.frame.v_batt, atMs: msOf(min) },
    vBattMax: { mV: max.frame.v_batt, atMs: msOf(max) },
    stateSeconds,
    gapSeconds,
    episodes,
  };
}
