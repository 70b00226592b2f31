/**
 * The energy report of a virtual-board run: how long the firmware spent in each state, every UVLO / OVLO /
 * OCLO entry and release, the cell's lowest and highest voltage, the charge and energy that went in and out,
 * and the MCU's own average current. `ltobms sim --report` and `ltobms demo --days N` end with it.
 *
 * Sources, and how exact each is:
 * - states and protection events come from the firmware's log frames, as a user's log would show them: the
 *   firmware prints once a minute, so a state counts from the first frame that shows it, and each event gives
 *   that frame's time and the previous frame's (the change happened in between);
 * - cell voltage is the board model's V(B), read at least once a simulated second and around every switch
 *   of the outputs;
 * - charge and energy in and out are the board model's exact integrals through the shunt;
 * - the MCU current is the power meter's (mcu-power.ts): data-sheet currents per state at the cell's voltage.
 */
import type { Chemistry } from '../board/types.js';
import type { BoardSnapshot } from '../board/board.js';
import type { BmsState } from '../../logging/frame.js';
import type { McuPowerTotals, McuState } from './mcu-power.js';

export type StateName = 'INVALID' | 'UVLO' | 'OVLO' | 'OCLO' | 'CHARGING' | 'DISCHARGING' | 'IDLE' | 'ERR';
const PROTECTION: ReadonlySet<StateName> = new Set(['UVLO', 'OVLO', 'OCLO']);

/** A protection state entered or left, as the frames show it. */
export interface ProtectionEvent {
  state: 'UVLO' | 'OVLO' | 'OCLO';
  change: 'entered' | 'left';
  /** Simulated time of the first frame showing the change (s). */
  t: number;
  /** Time of the frame before it: the change happened after this (s). */
  since: number;
}

export interface EnergyReport {
  scenario: string;
  chemistry: Chemistry;
  simulatedSeconds: number;
  /** Seconds per firmware state, from the frames (the start-up before the first frame is not counted). */
  states: Partial<Record<StateName, number>>;
  frames: number;
  protection: ProtectionEvent[];
  cell: {
    minVolts: number;
    minAt: number;
    maxVolts: number;
    maxAt: number;
    startSoc: number;
    endSoc: number;
  };
  /** Through the shunt: mAh and mWh into the cell (charging) and out of it (discharging). */
  charge: { inMah: number; outMah: number };
  energy: { inMwh: number; outMwh: number };
  mcu: {
    averageMicroamps: number;
    /** The MCU's own charge over the run (mAh; taken from the cell, not seen by the shunt). */
    chargeMah: number;
    seconds: Record<McuState, number>;
  };
}

/** Collects what the report needs while the board runs (fed by BoardRuntime). */
export class EnergyRecorder {
  private minVolts = Infinity;
  private minAt = 0;
  private maxVolts = -Infinity;
  private maxAt = 0;
  private startSoc: number | undefined;
  private readonly stateSeconds: Partial<Record<StateName, number>> = {};
  private readonly events: ProtectionEvent[] = [];
  private lastState: StateName | undefined;
  private lastFrameAt = 0;
  private frames = 0;

  /** The cell's voltage (V) at simulated time t (s). */
  cell(t: number, volts: number, soc?: number): void {
    if (this.startSoc === undefined && soc !== undefined) this.startSoc = soc;
    if (volts < this.minVolts) {
      this.minVolts = volts;
      this.minAt = t;
    }
    if (volts > this.maxVolts) {
      this.maxVolts = volts;
      this.maxAt = t;
    }
  }

  /** A log frame with this state, printed at simulated time t (s). */
  frame(t: number, state: BmsState): void {
    const name = state.replace('BMS_STATE_', '') as StateName;
    this.closeState(t);
    const prev = this.lastState;
    if (prev !== undefined && prev !== name) {
      if (PROTECTION.has(prev)) this.events.push({ state: prev as ProtectionEvent['state'], change: 'left', t, since: this.lastFrameAt });
      if (PROTECTION.has(name)) this.events.push({ state: name as ProtectionEvent['state'], change: 'entered', t, since: this.lastFrameAt });
    } else if (prev === undefined && PROTECTION.has(name)) {
      this.events.push({ state: name as ProtectionEvent['state'], change: 'entered', t, since: 0 });
    }
    this.lastState = name;
    this.lastFrameAt = t;
    this.frames++;
  }

  private closeState(t: number): void {
    if (this.lastState === undefined) return;
    this.stateSeconds[this.lastState] = (this.stateSeconds[this.lastState] ?? 0) + (t - this.lastFrameAt);
  }

  /** The report at simulated time `t`, with the board's truth and the MCU meter then. */
  report(what: { scenario: string; chemistry: Chemistry; t: number; board: BoardSnapshot; mcu: McuPowerTotals }): EnergyReport {
    const states = { ...this.stateSeconds };
    if (this.lastState !== undefined) states[this.lastState] = (states[this.lastState] ?? 0) + (what.t - this.lastFrameAt);
    const b = what.board;
    return {
      scenario: what.scenario,
      chemistry: what.chemistry,
      simulatedSeconds: what.t,
      states,
      frames: this.frames,
      protection: [...this.events],
      cell: {
        minVolts: Number.isFinite(this.minVolts) ? this.minVolts : b.batteryVolts,
        minAt: this.minAt,
        maxVolts: Number.isFinite(this.maxVolts) ? this.maxVolts : b.batteryVolts,
        maxAt: this.maxAt,
        startSoc: this.startSoc ?? b.soc,
        endSoc: b.soc,
      },
      charge: { inMah: b.chargeInMah, outMah: b.chargeOutMah },
      energy: { inMwh: b.energyInMwh, outMwh: b.energyOutMwh },
      mcu: {
        averageMicroamps: what.mcu.averageAmps * 1e6,
        chargeMah: what.mcu.totalChargeAs / 3.6,
        seconds: what.mcu.seconds,
      },
    };
  }
}
