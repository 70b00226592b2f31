/**
 * The microcontroller's own supply current, from the time the emulated core spends in each state and the
 * data sheet's typical currents at the firmware's clock and the cell's voltage (the MCU runs straight
 * from the cell, HARDWARE.md).
 *
 * Data sheet: tinyAVR 2 family (ATtiny424/426/427/824/826/827, ATtiny1624…), "Electrical Characteristics
 * → Power Consumption", typical, 25 °C, https://onlinedocs.microchip.com/pr/GUID-7056F141-DF07-46C5-A4B8-97EB46E9B945-en-US-12/GUID-6BF6C784-3E2F-4690-ABC2-73A384F3711F.html
 * (the ATtiny1624 pages; the ATtiny824 table has the same rows):
 *   - active, CLK_CPU = OSC20M/4 = 5 MHz: 1.1 mA at 2 V, 1.6 mA at 3 V, 2.8 mA at 5 V; OSC20M/2 = 10 MHz:
 *     2.8 mA at 3 V;
 *   - idle, 5 MHz: 0.4 / 0.6 / 1.0 mA at 2 / 3 / 5 V; 10 MHz: 0.8 mA at 3 V;
 *   - standby, RTC on the 1.024 kHz internal ULP oscillator: 0.7 µA; power-down / standby with every
 *     peripheral stopped: 0.1 µA; reset (line held low): 100 µA.
 * The table has no row below 5 MHz from OSC20M (its 32 kHz rows run from the ULP oscillator, with OSC20M
 * off). The firmware runs OSC20M/16 = 1.25 MHz, so OSC20M itself still runs: a straight line through the
 * 5 and 10 MHz rows at 3 V (active 0.24 mA/MHz + 0.40 mA, idle 0.04 mA/MHz + 0.40 mA) gives 0.70 mA
 * active and 0.45 mA idle at 1.25 MHz. The supply voltage scales them as the 5 MHz rows do from 2 to 5 V
 * (piecewise linear, the end slopes continued); the sleep currents are given at 3 V only and are scaled
 * like the idle current (an assumption). Peripheral currents (ADC, VREF, USART) come on top and are not
 * counted here.
 */

/** What the MCU is doing, for the power figure. */
export type McuState = 'active' | 'idle' | 'standby' | 'powerDown' | 'reset';
export const MCU_STATES: readonly McuState[] = ['active', 'idle', 'standby', 'powerDown', 'reset'];

/** Typical supply current at 3 V and 1.25 MHz (A), per state (see the header for the derivation). */
export const MCU_AMPS_3V: Readonly<Record<McuState, number>> = {
  active: 0.4e-3 + 0.24e-3 * 1.25,
  idle: 0.4e-3 + 0.04e-3 * 1.25,
  standby: 0.7e-6,
  powerDown: 0.1e-6,
  reset: 100e-6,
};

/** The data sheet's 5 MHz rows (V, A): the shape of the supply-voltage dependence. */
const ACTIVE_5MHZ: readonly (readonly [number, number])[] = [[2, 1.1e-3], [3, 1.6e-3], [5, 2.8e-3]];
const IDLE_5MHZ: readonly (readonly [number, number])[] = [[2, 0.4e-3], [3, 0.6e-3], [5, 1.0e-3]];

/** Piecewise-linear through the points, the end slopes continued. */
function interpolate(points: readonly (readonly [number, number])[], x: number): number {
  let i = 1;
  while (i < points.length - 1 && x > points[i]![0]) i++;
  const p0 = points[i - 1]!;
  const p1 = points[i]!;
  return p0[1] + ((p1[1] - p0[1]) * (x - p0[0])) / (p1[0] - p0[0]);
}

/** The shapes at 3 V, the reference of {@link voltageScale} (computed once: the meter asks every simulated second). */
const ACTIVE_AT_3V = interpolate(ACTIVE_5MHZ, 3);
const IDLE_AT_3V = interpolate(IDLE_5MHZ, 3);

/** The supply-voltage factor of a state's current: its shape at `vdd` relative to 3 V. */
function voltageScale(state: McuState, vdd: number): number {
  return state === 'active' ? interpolate(ACTIVE_5MHZ, vdd) / ACTIVE_AT_3V : interpolate(IDLE_5MHZ, vdd) / IDLE_AT_3V;
}

/** Supply current (A) in a state at supply voltage `vdd` (V), never below 0. */
export function mcuSupplyAmps(state: McuState, vdd: number): number {
  return ampsAtScale(state, voltageScale(state, vdd));
}

function ampsAtScale(state: McuState, scale: number): number {
  return Math.max(0, MCU_AMPS_3V[state] * scale);
}

/** The counters the meter reads: a CPU's cycle clock and its not-executing cycles. */
export interface McuCycleSource {
  readonly clock: { readonly cycles: number; readonly time: number };
  /** Cycles not executing (asleep, held in reset, starting up or stopped). */
  readonly sleepCycles: number;
  /** The asleep part of `sleepCycles` by sleep mode: IDLE, STANDBY, POWER-DOWN. */
  readonly sleepCyclesByMode: ArrayLike<number>;
}

/** Seconds and charge per MCU state since the meter started. */
export interface McuPowerTotals {
  seconds: Record<McuState, number>;
  /** ∫ I dt per state (A·s). */
  chargeAs: Record<McuState, number>;
  /** All states together: seconds, A·s and the average current (A). */
  totalSeconds: number;
  totalChargeAs: number;
  averageAmps: number;
}

/** A number per state from a table in MCU_STATES order. */
const byState = (values: Float64Array): Record<McuState, number> =>
  Object.fromEntries(MCU_STATES.map((state, i) => [state, values[i]!])) as Record<McuState, number>;

/**
 * Integrates the MCU's supply current. Call {@link McuPowerMeter.sample} often (the runtime does after every
 * step of at most a simulated second): each call splits the simulated time since the previous one among the
 * states in proportion to their cycles, and charges it at the supply voltage given.
 */
export class McuPowerMeter {
  /** Per state in MCU_STATES order (typed arrays: adding to them every simulated second allocates nothing). */
  private readonly seconds = new Float64Array(MCU_STATES.length);
  private readonly chargeAs = new Float64Array(MCU_STATES.length);
  private lastTime: number;
  private lastCycles: number;
  private lastSleep: number;
  private readonly lastByMode: number[];

  constructor(private readonly cpu: McuCycleSource) {
    this.lastTime = cpu.clock.time;
    this.lastCycles = cpu.clock.cycles;
    this.lastSleep = cpu.sleepCycles;
    this.lastByMode = Array.from(cpu.sleepCyclesByMode);
  }

  /** Leaves the time since the last sample out (the board was parked: it is not the board's time). */
  skip(): void {
    this.lastTime = this.cpu.clock.time;
    this.lastCycles = this.cpu.clock.cycles;
    this.lastSleep = this.cpu.sleepCycles;
    for (let i = 0; i < 3; i++) this.lastByMode[i] = this.cpu.sleepCyclesByMode[i]!;
  }

  /** Accounts for the time since the last sample at supply voltage `vdd` (V). */
  sample(vdd: number): void {
    const cpu = this.cpu;
    const dt = cpu.clock.time - this.lastTime;
    const dc = cpu.clock.cycles - this.lastCycles;
    if (dc <= 0 || dt <= 0) return;
    const idle = cpu.sleepCyclesByMode[0]! - this.lastByMode[0]!;
    const standby = cpu.sleepCyclesByMode[1]! - this.lastByMode[1]!;
    const powerDown = cpu.sleepCyclesByMode[2]! - this.lastByMode[2]!;
    const notRunning = cpu.sleepCycles - this.lastSleep;
    // Every state but active has the IDLE shape: two voltage factors per sample, not one per state (the same
    // numbers mcuSupplyAmps gives). Called once per simulated second: no object per call.
    const activeScale = voltageScale('active', vdd);
    const sleepScale = voltageScale('idle', vdd);
    this.book(0, dc - notRunning, dt, dc, activeScale);
    this.book(1, idle, dt, dc, sleepScale);
    this.book(2, standby, dt, dc, sleepScale);
    this.book(3, powerDown, dt, dc, sleepScale);
    this.book(4, notRunning - idle - standby - powerDown, dt, dc, sleepScale);
    this.skip();
  }

  /** The share of `dt` of state MCU_STATES[index]: its cycles of `dc`, charged at its current. */
  private book(index: number, cycles: number, dt: number, dc: number, scale: number): void {
    const s = (dt * cycles) / dc;
    this.seconds[index] += s;
    this.chargeAs[index] += s * ampsAtScale(MCU_STATES[index]!, scale);
  }

  get totals(): McuPowerTotals {
    const totalSeconds = this.seconds.reduce((a, s) => a + s, 0);
    const totalChargeAs = this.chargeAs.reduce((a, s) => a + s, 0);
    return {
      seconds: byState(this.seconds),
      chargeAs: byState(this.chargeAs),
      totalSeconds,
      totalChargeAs,
      averageAmps: totalSeconds > 0 ? totalChargeAs / totalSeconds : 0,
    };
  }
}
