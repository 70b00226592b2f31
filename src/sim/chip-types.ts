// Types shared between the emulated ATtiny824 (src/sim/chip.ts) and the board model that surrounds it.
// The chip asks the board for analog values and tells it about pin and UART activity; nothing else crosses.

/** Analog-capable pins of the 14-pin ATtiny824 that the board wires to something (AIN1..AIN7). */
export type AnalogPin = 'PA1' | 'PA2' | 'PA3' | 'PA4' | 'PA5' | 'PA6' | 'PA7';

/** Every general-purpose pin of the 14-pin package (PA0 is UPDI/RESET). */
export type PinName =
  | 'PA0' | 'PA1' | 'PA2' | 'PA3' | 'PA4' | 'PA5' | 'PA6' | 'PA7'
  | 'PB0' | 'PB1' | 'PB2' | 'PB3';

/** What a pin does to the outside: driven high, driven low, or released (input, high impedance or pull-up). */
export type PinState = 'high' | 'low' | 'input';

/**
 * The analog world as the chip sees it. All voltages are in volts relative to GND, `t` is simulated time in
 * seconds since the emulation started. The ADC calls these at the sampling instant of each conversion.
 */
export interface AnalogFrontEnd {
  /** Voltage at an analog pin. */
  pinVoltage(pin: AnalogPin, t: number): number;
  /** Die temperature in kelvin (the ADC's TEMPSENSE channel). */
  temperatureK(t: number): number;
  /** Supply voltage VDD (the VDD reference and the VDDDIV10 channel). */
  vdd(t: number): number;
  /**
   * Optional promise that lets the ADC take a burst's samples as one: true only if from `t1` to `t2` (t1 ≤ t2,
   * asked in time order like the rest) every pin voltage and VDD, in exact arithmetic, is the same non-decreasing
   * affine function of one quantity that moves in one direction only (the cell's voltage as it drifts), or is
   * constant, and the temperature moves in one direction only too: no step, no switch, no turning point between.
   */
  steadyBetween?(t1: number, t2: number): boolean;
  /**
   * The ADC's own errors on this board, constant: the internal references are `referenceScale` ×
   * nominal, and `offsetLsb` is added to every 12-bit result. None: an ideal ADC.
   */
  readonly adcErrors?: { readonly referenceScale: number; readonly offsetLsb: number };
}

/** Why the chip (re)started; mirrors the RSTCTRL.RSTFR flags. */
export type ResetCause = 'power-on' | 'brown-out' | 'external' | 'watchdog' | 'software' | 'updi';

/** Callbacks from the chip to its board. Called synchronously from inside `runUntil`. */
export interface ChipCallbacks {
  /** A pin's external state changed (direction or output level). */
  onPinChange?(pin: PinName, state: PinState, t: number): void;
  /** USART0 finished shifting out one byte; `t` is the time of its last stop bit. */
  onUartByte?(byte: number, t: number): void;
}

/** Sleep modes of SLPCTRL.CTRLA.SMODE. */
export type SleepMode = 'idle' | 'standby' | 'pdown';

/** What the chip reports through its `trace` callback (for `ltobms sim --trace`, tests and debugging). */
export type ChipTraceEvent =
  | { type: 'reset'; cause: ResetCause; t: number }
  | { type: 'pin'; pin: PinName; state: PinState; t: number }
  | { type: 'sleep'; mode: SleepMode; t: number }
  | { type: 'wake'; t: number }
  | { type: 'clock'; hz: number; t: number }
  | { type: 'break'; pc: number; t: number }
  | { type: 'ccp-violation'; register: string; t: number }
  | { type: 'unimplemented'; what: string; t: number }
  | { type: 'illegal-opcode'; address: number; opcode: number; t: number }
  | { type: 'nvm'; command: string; ok: boolean; address: number; reason?: string; t: number };
