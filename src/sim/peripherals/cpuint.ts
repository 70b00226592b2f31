// CPUINT (0x0110): the register view of the interrupt controller (cpu/interrupts.ts). CTRLA (LVL0RR, CVT,
// IVSEL) is CCP-protected; STATUS shows the executing levels; LVL0PRI and LVL1VEC set the priorities.

import { Peripheral, type ChipContext } from './peripheral.js';

export const CPUINT_BASE = 0x0110;
const CTRLA = 0x00;
const STATUS = 0x01;
const LVL0PRI = 0x02;
const LVL1VEC = 0x03;

export class Cpuint implements Peripheral {
  readonly name = 'CPUINT';
  readonly base = CPUINT_BASE;
  readonly size = 0x10;

  constructor(private readonly ctx: ChipContext) {}

  reset(): void {
    this.ctx.interrupts.reset();
  }

  /** Changed only by writes and by interrupt entry/RETI, which the core counts itself. */
  stableRead(): boolean {
    return true;
  }

  read(offset: number): number {
    const ic = this.ctx.interrupts;
    switch (offset) {
      case CTRLA:
        return ic.ctrla;
      case STATUS:
        return ic.status;
      case LVL0PRI:
        return ic.lvl0pri;
      case LVL1VEC:
        return ic.lvl1vec;
      default:
        return 0;
    }
  }

  write(offset: number, value: number): void {
    const ic = this.ctx.interrupts;
    switch (offset) {
      case CTRLA:
        if (!this.ctx.cpu.ccpOpen('ioreg')) return this.ctx.ccpViolation('CPUINT.CTRLA');
        ic.ctrla = value & 0x61;
        break;
      case LVL0PRI:
        ic.lvl0pri = value;
        break;
      case LVL1VEC:
        ic.lvl1vec = value;
        break;
      default:
        return; // STATUS is maintained by the hardware
    }
    ic.update();
  }
}
