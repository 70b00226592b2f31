// RSTCTRL (0x0040): RSTFR records why the chip last reset (write 1 to clear a flag); writing SWRR.SWRST under
// the CCP IOREG key requests a software reset.

import type { ResetCause } from '../chip-types.js';
import { Peripheral, type ChipContext } from './peripheral.js';

export const RSTCTRL_BASE = 0x0040;
const RSTFR = 0x00;
const SWRR = 0x01;

/** RSTFR bit per cause (datasheet RSTCTRL.RSTFR: PORF, BORF, EXTRF, WDRF, SWRF, UPDIRF). */
export const RSTFR_BITS: Record<ResetCause, number> = {
  'power-on': 0x01,
  'brown-out': 0x02,
  external: 0x04,
  watchdog: 0x08,
  software: 0x10,
  updi: 0x20,
};

export class Rstctrl implements Peripheral {
  readonly name = 'RSTCTRL';
  readonly base = RSTCTRL_BASE;
  readonly size = 0x10;
  flags = 0;

  constructor(
    private readonly ctx: ChipContext,
    private readonly requestReset: (cause: ResetCause) => void,
  ) {}

  /** A reset happened: a power-on reset clears the other flags, the others accumulate. */
  record(cause: ResetCause): void {
    this.flags = cause === 'power-on' ? RSTFR_BITS['power-on'] : this.flags | RSTFR_BITS[cause];
  }

  reset(): void {
    // RSTFR survives every reset but power-on; `record` handles it.
  }

  read(offset: number): number {
    return offset === RSTFR ? this.flags : 0;
  }

  write(offset: number, value: number): void {
    if (offset === RSTFR) {
      this.flags &= ~value;
      return;
    }
    if (offset === SWRR) {
      if (!this.ctx.cpu.ccpOpen('ioreg')) return this.ctx.ccpViolation('RSTCTRL.SWRR');
      if (value & 0x01) this.requestReset('software');
    }
  }
}
