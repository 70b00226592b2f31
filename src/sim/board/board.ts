/**
 * The virtual board around the emulated ATtiny824: one cell, the shunt, the dividers, the two output
 * switches, a load and a charger (see circuit.ts for the topology).
 *
 * Time is lazy and event-driven. The model holds every current constant between events and integrates
 * the charge exactly over each interval (coulomb counting). Events are: a switch pin changing, a load or
 * charger segment starting, and a grid point every `stepSeconds` (so currents that depend on the cell
 * voltage — resistive loads, a charger in constant-voltage mode, a solar curve — are re-solved at least
 * that often). Queries (`pinVoltage`, `snapshot`…) never create events, so the result of a run depends
 * only on the configuration and the pin changes, not on when or how often the chip samples.
 * Between events the voltages still follow the state of charge (the open-circuit voltage moves with it).
 * Time only goes forward, except that a query up to LOOKBACK_SECONDS before the last event is answered
 * with the state at that event (an ADC sample reported after a pin change it preceded).
 *
 * Pins, as the firmware drives them (HARDWARE.md):
 * - PA4 main output switch: ON only while driven high; released or driven low = OFF (gate pulled down).
 * - PA5 3.3 V QWIIC switch: ON only while driven low; released or driven high = OFF (gate pulled up).
 * - PA2 = V(B)/3, PA3 = V(L)/3, PA7 = V(B), PA6 = V(N): V(PA7) − V(PA6) = I × 0.1 Ω, I > 0 discharging.
 *   The shunt is on the high side, so PA6/PA7 sit near VDD; while charging PA6 is above VDD by I × 0.1 Ω.
 * - PA1 is not connected (0 V). VDD is the cell's terminal voltage V(B).
 * Component tolerances (`config.errors`, errors.ts) bend the dividers and the shunt here, and the
 * temperature sensor's reading; the reference and the ADC offset act in the ADC ({@link adcErrors}).
 */
import type { AnalogFrontEnd, AnalogPin, PinName, PinState } from '../chip-types.js';
import { solveOperatingPoint, type OperatingPoint } from './circuit.js';
import { OcvCurve, OCV_TABLES } from './ocv.js';
import { NO_BOARD_ERRORS, type BoardErrors } from './errors.js';
import { chargerAt, loadAt, nextSegmentStart, resistanceAt, temperatureAt, temperatureMonotone } from './schedule.js';
import type { BoardConfig } from './types.js';

/** Current-sense shunt between PA7 (BP) and PA6 (BN). */
export const SHUNT_OHMS = 0.1;
/** Both voltage dividers (battery on PA2, load on PA3): 0.5 of 1.5. */
export const DIVIDER_RATIO = 1 / 3;

/** The model's truth at one instant, for tests and traces. Currents in A (> 0 = discharging), voltages in V. */
export interface BoardSnapshot {
  t: number;
  /** State of charge, 0–1 (not clamped: an abused cell can leave that range). */
  soc: number;
  ocvVolts: number;
  /** Cell terminal voltage V(B): what PA2 divides and what the MCU runs on. */
  batteryVolts: number;
  /** Output terminal voltage V(L): what PA3 divides. */
  loadVolts: number;
  /** Through the shunt: what the firmware measures. */
  currentAmps: number;
  cellAmps: number;
  loadAmps: number;
  chargerAmps: number;
  qwiicAmps: number;
  chargerMode: OperatingPoint['chargerMode'];
  mainOn: boolean;
  qwiicOn: boolean;
  temperatureK: number;
  internalOhms: number;
  /** ∫ shunt current dt (mAh, > 0 = net discharged), like the firmware's `charge`. */
  chargeMah: number;
  /** The same split by direction: mAh out of the cell through the shunt (discharging) and into it (charging). */
  chargeOutMah: number;
  chargeInMah: number;
  /** ∫ I·V(B) dt over discharging intervals (mWh), like the firmware's `E_dis`. */
  energyOutMwh: number;
  /** ∫ |I|·V(B) dt over charging intervals (mWh), like the firmware's `E_chg`. */
  energyInMwh: number;
}

interface Voltages {
  soc: number;
  ocv: number;
  battery: number;
  node: number;
  load: number;
}

/** Tolerance for float rounding in time arithmetic. */
const TIME_EPSILON = 1e-9;
/**
 * How far before the last event a query may still look (s). An ADC may report a sample taken just before
 * a pin change it learns about later; such a query is answered with the state at the last event.
 * Anything earlier is a bug in the caller.
 */
export const LOOKBACK_SECONDS = 0.01;

export class VirtualBoard implements AnalogFrontEnd {
  readonly config: BoardConfig;
  readonly errors: BoardErrors;
  /** What the ADC does wrong on this board (AnalogFrontEnd): its reference scale and offset. */
  readonly adcErrors: { referenceScale: number; offsetLsb: number };
  /** The real shunt (Ω) and divider ratios, tolerances included. */
  private readonly shuntOhms: number;
  private readonly batteryDivider: number;
  private readonly loadDivider: number;
  private readonly ocv: OcvCurve;
  private readonly capacityAs: number;
  private main: PinState;
  private qwiic: PinState;
  /** The last event: its time and the state there. */
  private t0: number;
  private soc0: number;
  private chargeAs0: number;
  private chargeOutAs0: number;
  private chargeInAs0: number;
  private energyOutWs0: number;
  private energyInWs0: number;
  /** Held from the last event until the next one. */
  private op!: OperatingPoint;
  private rInt!: number;
  private nextEvent!: number;
  /** The last instant batteryAt answered, and its values (NaN: none since the last event or switch change). */
  private memoT = NaN;
  private memoSoc = 0;
  private memoOcv = 0;
  private memoBattery = 0;

  constructor(config: BoardConfig) {
    if (!(config.cell.capacityMah > 0)) throw new RangeError('cell capacity must be > 0');
    if (!(config.stepSeconds > 0)) throw new RangeError('model step must be > 0');
    this.config = config;
    const e = config.errors ?? NO_BOARD_ERRORS;
    this.errors = e;
    this.adcErrors = { referenceScale: 1 + e.vrefPct / 100, offsetLsb: e.adcOffsetLsb };
    this.shuntOhms = SHUNT_OHMS * (1 + e.shuntPct / 100);
    this.batteryDivider = DIVIDER_RATIO * (1 + e.dividerPct / 100);
    this.loadDivider = DIVIDER_RATIO * (1 + e.loadDividerPct / 100);
    this.ocv = new OcvCurve(OCV_TABLES[config.chemistry]);
    this.capacityAs = config.cell.capacityMah * 3.6;
    this.main = 'input';
    this.qwiic = 'input';
    this.t0 = 0;
    this.soc0 = config.cell.initialSoc;
    this.chargeAs0 = 0;
    this.chargeOutAs0 = 0;
    this.chargeInAs0 = 0;
    this.energyOutWs0 = 0;
    this.energyInWs0 = 0;
    this.solve();
  }

  get mainOn(): boolean {
    return this.main === 'high';
  }

  get qwiicOn(): boolean {
    return this.qwiic === 'low';
  }

  /** The chip reports a pin change (wire it to ChipCallbacks.onPinChange). Only PA4 and PA5 matter here. */
  setPin(pin: PinName, state: PinState, t: number): void {
    if (pin !== 'PA4' && pin !== 'PA5') return;
    this.advance(t);
    const mainOn = pin === 'PA4' ? state === 'high' : this.mainOn;
    const qwiicOn = pin === 'PA5' ? state === 'low' : this.qwiicOn;
    const switched = mainOn !== this.mainOn || qwiicOn !== this.qwiicOn;
    if (switched) this.integrateTo(Math.max(t, this.t0));
    if (pin === 'PA4') this.main = state;
    else this.qwiic = state;
    if (switched) this.solve();
  }

  pinVoltage(pin: AnalogPin, t: number): number {
    // Each pin computes only what it needs, with the same arithmetic as voltagesAt (the ADC asks this for every
    // sample: no object per call).
    switch (pin) {
      case 'PA1':
        this.advance(t);
        return 0;
      case 'PA2':
        return this.batteryAt(t) * this.batteryDivider;
      case 'PA3':
        return this.loadAt(this.batteryAt(t)) * this.loadDivider;
      case 'PA4':
        return this.main === 'high' ? this.batteryAt(t) : (this.advance(t), 0);
      case 'PA5':
        return this.qwiic === 'low' ? (this.advance(t), 0) : this.batteryAt(t);
      case 'PA6':
        return this.nodeAt(this.batteryAt(t));
      case 'PA7':
        return this.batteryAt(t);
    }
  }

  /** AnalogFrontEnd.steadyBetween: no event from t1 to t2 (nor a lookback answer at t1), so the operating point is
   * held and every pin voltage is V(B) or V(B) less a held drop (through a divider), or constant; V(B) follows the
   * OCV table (rising with the state of charge, which is linear in time); the temperature has no turning point. */
  steadyBetween(t1: number, t2: number): boolean {
    this.advance(t1);
    return t1 >= this.t0 && t2 < this.nextEvent && temperatureMonotone(this.config.temperature, t1, t2, this.config.startHour);
  }

  /** What the temperature sensor sees: the die temperature plus the sensor's error (`temp_k`). */
  temperatureK(t: number): number {
    return this.trueTemperatureK(t) + this.errors.tempK;
  }

  /** The cell's and die's temperature. */
  private trueTemperatureK(t: number): number {
    return temperatureAt(this.config.temperature, t, this.config.startHour);
  }

  vdd(t: number): number {
    return this.batteryAt(t);
  }

  snapshot(t: number): BoardSnapshot {
    const v = this.voltagesAt(t);
    const dt = Math.max(0, t - this.t0);
    const op = this.op;
    const [outWs, inWs] = this.energyOver(dt, v.battery);
    const dq = op.shuntAmps * dt;
    return {
      t,
      soc: v.soc,
      ocvVolts: v.ocv,
      batteryVolts: v.battery,
      loadVolts: v.load,
      currentAmps: op.shuntAmps,
      cellAmps: op.cellAmps,
      loadAmps: op.loadAmps,
      chargerAmps: op.chargerAmps,
      qwiicAmps: op.qwiicAmps,
      chargerMode: op.chargerMode,
      mainOn: this.mainOn,
      qwiicOn: this.qwiicOn,
      temperatureK: this.trueTemperatureK(t),
      internalOhms: this.rInt,
      chargeMah: (this.chargeAs0 + dq) / 3.6,
      chargeOutMah: (this.chargeOutAs0 + Math.max(0, dq)) / 3.6,
      chargeInMah: (this.chargeInAs0 + Math.max(0, -dq)) / 3.6,
      energyOutMwh: (this.energyOutWs0 + outWs) / 3.6,
      energyInMwh: (this.energyInWs0 + inWs) / 3.6,
    };
  }

  /** Processes every event up to and including t. */
  private advance(t: number): void {
    if (t < this.t0 - LOOKBACK_SECONDS) {
      throw new RangeError(`board queried at t=${t} s, before its last event at ${this.t0} s (time must not go back)`);
    }
    while (this.nextEvent <= t) this.commit(this.nextEvent);
  }

  /** Voltages at t, with the currents held since the last event. */
  private voltagesAt(t: number): Voltages {
    const battery = this.batteryAt(t);
    const node = this.nodeAt(battery);
    return { soc: this.memoSoc, ocv: this.memoOcv, battery, node, load: this.loadAt(battery) };
  }

  /** V(B) at t (and the state of charge and OCV behind it, in the memo fields). A burst of ADC samples asks
   * several pins at one instant (PA7 and PA6 of a differential conversion): the last instant's values are kept
   * until the next event or switch change, so they are computed once. */
  private batteryAt(t: number): number {
    this.advance(t);
    if (t === this.memoT) return this.memoBattery;
    const soc = this.soc0 - (this.op.cellAmps * Math.max(0, t - this.t0)) / this.capacityAs;
    const ocv = this.ocv.at(soc);
    const battery = ocv - this.op.cellAmps * this.rInt;
    this.memoT = t;
    this.memoSoc = soc;
    this.memoOcv = ocv;
    this.memoBattery = battery;
    return battery;
  }

  /** V(N) for a V(B) at the present operating point. */
  private nodeAt(battery: number): number {
    return battery - this.op.shuntAmps * this.shuntOhms;
  }

  /** V(L) for a V(B) at the present operating point. */
  private loadAt(battery: number): number {
    return this.mainOn ? this.nodeAt(battery) - this.op.mainAmps * this.config.switchOhm : this.op.openOutputVolts;
  }

  /** Energy through the shunt over the next dt seconds (W·s out, W·s in), trapezoid on V(B). */
  private energyOver(dt: number, batteryAtEnd: number): [number, number] {
    if (dt <= 0) return [0, 0];
    const batteryAtStart = this.ocv.at(this.soc0) - this.op.cellAmps * this.rInt;
    const ws = (this.op.shuntAmps * dt * (batteryAtStart + batteryAtEnd)) / 2;
    return ws >= 0 ? [ws, 0] : [0, -ws];
  }

  /** Makes te the last event: integrates up to it and re-solves the circuit there. */
  private commit(te: number): void {
    this.integrateTo(te);
    this.solve();
  }

  /** Integrates the held currents from the last event to te, which becomes the last event. */
  private integrateTo(te: number): void {
    this.memoT = NaN;
    const dt = te - this.t0;
    if (dt <= 0) return;
    const socEnd = this.soc0 - (this.op.cellAmps * dt) / this.capacityAs;
    const batteryAtEnd = this.ocv.at(socEnd) - this.op.cellAmps * this.rInt;
    const [outWs, inWs] = this.energyOver(dt, batteryAtEnd);
    this.energyOutWs0 += outWs;
    this.energyInWs0 += inWs;
    const dq = this.op.shuntAmps * dt;
    this.chargeAs0 += dq;
    // The current is constant between events, so splitting each interval by its sign is exact.
    if (dq >= 0) this.chargeOutAs0 += dq;
    else this.chargeInAs0 -= dq;
    this.soc0 = socEnd;
    this.t0 = te;
  }

  /** Solves the circuit at the last event and schedules the next event. */
  private solve(): void {
    this.memoT = NaN;
    const c = this.config;
    const t = this.t0;
    this.rInt = resistanceAt(c.cell.resistanceOhm, c.cell.resistanceTempCoeff, this.trueTemperatureK(t));
    this.op = solveOperatingPoint({
      emf: this.ocv.at(this.soc0),
      rInt: this.rInt,
      rShunt: this.shuntOhms,
      rSwitch: c.switchOhm,
      mainOn: this.mainOn,
      qwiicOn: this.qwiicOn,
      load: loadAt(c.load, t),
      charger: chargerAt(c.charger, t, c.startHour),
      quiescentAmps: c.quiescentAmps,
    });
    const grid = (Math.floor(t / c.stepSeconds + TIME_EPSILON) + 1) * c.stepSeconds;
    this.nextEvent = Math.min(grid, nextSegmentStart(c.load, t), nextSegmentStart(c.charger, t));
  }
}
