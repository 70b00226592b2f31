// CLKCTRL (0x0060): main clock source and prescaler. The CPU clock (= CLK_PER) is the selected oscillator divided
// by MCLKCTRLB.PDIV when PEN is set. MCLKCTRLA/B and MCLKLOCK are CCP-protected (IOREG key 0xD8).
// The 20 MHz oscillator runs at 16 or 20 MHz as FUSE.OSCCFG.FREQSEL says (ATTINY824_FACTS §1.2, §2.3).

import { Peripheral, type ChipContext } from './peripheral.js';

export const CLKCTRL_BASE = 0x0060;
const MCLKCTRLA = 0x00;
const MCLKCTRLB = 0x01;
const MCLKLOCK = 0x02;
const MCLKSTATUS = 0x03;
const OSC20MCTRLA = 0x10;
const OSC20MCALIBA = 0x11;
const OSC20MCALIBB = 0x12;
const OSC32KCTRLA = 0x18;

export const MCLKCTRLB_RESET = 0x11; // PDIV 6X, PEN
const PEN = 0x01;
const LOCKEN = 0x01;
const OSCULP32K_HZ = 32768;

/** PDIV field value → division factor (datasheet MCLKCTRLB table). */
const PDIV: Record<number, number> = { 0: 2, 1: 4, 2: 8, 3: 16, 4: 32, 5: 64, 8: 6, 9: 10, 10: 12, 11: 24, 12: 48 };

/** FUSE.OSCCFG → frequency of the internal high-frequency oscillator. */
export function oscillatorHz(osccfg: number): number {
  return (osccfg & 0x03) === 1 ? 16_000_000 : 20_000_000;
}

export class Clkctrl implements Peripheral {
  readonly name = 'CLKCTRL';
  readonly base = CLKCTRL_BASE;
  readonly size = 0x20;
  private mclkctrla = 0;
  private mclkctrlb = MCLKCTRLB_RESET;
  private mclklock = 0;
  private osc20mctrla = 0;
  private osc20mcaliba = 0;
  private osc20mcalibb = 0;
  private osc32kctrla = 0;
  private oscHz = 20_000_000;

  constructor(
    private readonly ctx: ChipContext,
    /** Called whenever the CPU clock frequency changes. */
    private readonly onFrequency: (hz: number) => void,
  ) {}

  /** Reset with the fuse-selected oscillator frequency and the factory calibration byte. */
  configure(osccfg: number, calibration: number): void {
    this.oscHz = oscillatorHz(osccfg);
    this.osc20mcaliba = calibration & 0x7f;
  }

  reset(): void {
    this.mclkctrla = 0;
    this.mclkctrlb = MCLKCTRLB_RESET;
    this.mclklock = 0;
    this.osc20mctrla = 0;
    this.osc20mcalibb = 0;
    this.osc32kctrla = 0;
    this.onFrequency(this.cpuHz);
  }

  /** The main clock (CLK_MAIN) before the prescaler. */
  get mainHz(): number {
    switch (this.mclkctrla & 0x03) {
      case 0:
        return this.oscHz;
      case 1:
      case 2:
        return OSCULP32K_HZ;
      default:
        return this.oscHz; // EXTCLK: no external clock on this board; keep running (reported at selection)
    }
  }

  /** CLK_CPU = CLK_PER. */
  get cpuHz(): number {
    if (!(this.mclkctrlb & PEN)) return this.mainHz;
    return this.mainHz / (PDIV[(this.mclkctrlb >> 1) & 0x0f] ?? 2);
  }

  read(offset: number): number {
    switch (offset) {
      case MCLKCTRLA:
        return this.mclkctrla;
      case MCLKCTRLB:
        return this.mclkctrlb;
      case MCLKLOCK:
        return this.mclklock;
      case MCLKSTATUS:
        // No switch in progress (SOSC = 0); the internal oscillators are running and stable.
        return 0x10 | 0x20;
      case OSC20MCTRLA:
        return this.osc20mctrla;
      case OSC20MCALIBA:
        return this.osc20mcaliba;
      case OSC20MCALIBB:
        return this.osc20mcalibb;
      case OSC32KCTRLA:
        return this.osc32kctrla;
      default:
        return 0;
    }
  }

  write(offset: number, value: number): void {
    switch (offset) {
      case MCLKCTRLA:
      case MCLKCTRLB:
      case MCLKLOCK: {
        if (!this.ctx.cpu.ccpOpen('ioreg')) return this.ctx.ccpViolation(`CLKCTRL+0x${offset.toString(16)}`);
        if (offset === MCLKLOCK) {
          this.mclklock |= value & LOCKEN;
          return;
        }
        if (this.mclklock & LOCKEN) return this.ctx.unimplemented('CLKCTRL write while MCLKLOCK is set (ignored)');
        const before = this.cpuHz;
        if (offset === MCLKCTRLA) {
          this.mclkctrla = value & 0x83;
          if ((value & 0x03) === 3) this.ctx.unimplemented('CLKCTRL EXTCLK (no external clock on the board)');
        } else {
          this.mclkctrlb = value & 0x1f;
        }
        if (this.cpuHz !== before) this.onFrequency(this.cpuHz);
        return;
      }
      case OSC20MCTRLA:
        this.osc20mctrla = value & 0x02;
        return;
      case OSC20MCALIBA:
        // Calibration tweaks are not modelled: the oscillator stays at its nominal frequency.
        this.osc20mcaliba = value & 0x7f;
        return;
      case OSC20MCALIBB:
        this.osc20mcalibb = value & 0x8f;
        return;
      case OSC32KCTRLA:
        this.osc32kctrla = value & 0x02;
        return;
      default:
        this.ctx.unimplemented(`CLKCTRL+0x${offset.toString(16)} write`);
    }
  }
}
