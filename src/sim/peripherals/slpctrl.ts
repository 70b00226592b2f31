// SLPCTRL (0x0050): CTRLA.SEN enables SLEEP, SMODE picks IDLE (0), STANDBY (1) or POWER-DOWN (2).
// What keeps running in each mode (datasheet SLPCTRL "Sleep Mode Activity"): IDLE stops only the CPU clock;
// STANDBY stops CLK_PER except for peripherals with RUNSTDBY, the RTC and WDT run from the ULP oscillator;
// POWER-DOWN keeps only the PIT, WDT, TWI address match and pin-change wake-ups.

import type { SleepMode } from '../chip-types.js';
import { Peripheral } from './peripheral.js';

export const SLPCTRL_BASE = 0x0050;
const CTRLA = 0x00;
const VREGCTRL = 0x01;
const SEN = 0x01;

export class Slpctrl implements Peripheral {
  readonly name = 'SLPCTRL';
  readonly base = SLPCTRL_BASE;
  readonly size = 0x10;
  private ctrla = 0;
  private vregctrl = 0;

  reset(): void {
    this.ctrla = 0;
    this.vregctrl = 0;
  }

  /** The mode SLEEP enters now, or undefined when SEN is clear (SLEEP is then a NOP). */
  get requestedMode(): SleepMode | undefined {
    if (!(this.ctrla & SEN)) return undefined;
    switch ((this.ctrla >> 1) & 0x03) {
      case 0:
        return 'idle';
      case 1:
        return 'standby';
      default:
        return 'pdown'; // 2 = PDOWN, 3 reserved
    }
  }

  /** Changed only by writes and by interrupt entry/RETI, which the core counts itself. */
  stableRead(): boolean {
    return true;
  }

  read(offset: number): number {
    if (offset === CTRLA) return this.ctrla;
    if (offset === VREGCTRL) return this.vregctrl;
    return 0;
  }

  write(offset: number, value: number): void {
    if (offset === CTRLA) this.ctrla = value & 0x07;
    else if (offset === VREGCTRL) this.vregctrl = value & 0x17;
  }
}
