// PORTA/PORTB (0x0400/0x0420) and their VPORTs (0x0000/0x0004, reachable by SBI/CBI/SBIS/SBIC).
//
// A pin drives its OUT level when its DIR bit is set and is released ('input') otherwise; a peripheral may take
// the pin over (USART0 TxD on PB2). Every change of a pin's external state goes to the board through
// `onPinChange`. IN reads the pin: the driven level for outputs; for inputs the analog voltage against VDD/2
// (PA1–PA7, from the analog front end), a pulled-up or idle-high line otherwise; 0 with INPUT_DISABLE;
// inverted by INVEN. Edges seen on IN set INTFLAGS per PINnCTRL.ISC (write 1 to clear) and request the port's
// vector. Pin-change sensing of external inputs is not modelled (the analog model has no edges to report).

import type { AnalogFrontEnd, AnalogPin, PinName, PinState } from '../chip-types.js';
import { Peripheral, type ChipContext } from './peripheral.js';

const DIR = 0x00;
const DIRSET = 0x01;
const DIRCLR = 0x02;
const DIRTGL = 0x03;
const OUT = 0x04;
const OUTSET = 0x05;
const OUTCLR = 0x06;
const OUTTGL = 0x07;
const IN = 0x08;
const INTFLAGS = 0x09;
const PORTCTRL = 0x0a;
const PINCTRL0 = 0x10;

const ISC_INTDISABLE = 0;
const ISC_BOTHEDGES = 1;
const ISC_RISING = 2;
const ISC_FALLING = 3;
const ISC_INPUT_DISABLE = 4;
const ISC_LEVEL = 5;
const PULLUPEN = 0x08;
const INVEN = 0x80;

export interface PortConfig {
  letter: 'A' | 'B';
  base: number;
  vportBase: number;
  vector: number;
  /** Pins bonded out on the 14-pin package. */
  pins: number;
}

export const PORTA_CONFIG: PortConfig = { letter: 'A', base: 0x0400, vportBase: 0x0000, vector: 6, pins: 8 };
export const PORTB_CONFIG: PortConfig = { letter: 'B', base: 0x0420, vportBase: 0x0004, vector: 7, pins: 4 };

/** A peripheral driving a pin instead of PORT.OUT; `undefined` = no override. */
export type PinOverride = () => PinState | undefined;

export class Port implements Peripheral {
  readonly name: string;
  readonly base: number;
  readonly size = 0x20;
  readonly vport: VPort;
  private dir = 0;
  private out = 0;
  private flags = 0;
  private portctrl = 0;
  private readonly pinctrl = new Uint8Array(8);
  private readonly reported: PinState[] = [];
  private lastIn = 0;
  private readonly overrides: (PinOverride | undefined)[] = [];

  constructor(
    private readonly ctx: ChipContext,
    private readonly config: PortConfig,
    private readonly analog: AnalogFrontEnd | undefined,
    private readonly onPinChange: (pin: PinName, state: PinState, t: number) => void,
  ) {
    this.name = `PORT${config.letter}`;
    this.base = config.base;
    this.vport = new VPort(this, `VPORT${config.letter}`, config.vportBase);
    for (let i = 0; i < 8; i++) this.reported.push('input');
  }

  pinName(bit: number): PinName {
    return `P${this.config.letter}${bit}` as PinName;
  }

  /** Lets a peripheral drive a pin (called by USART when TXEN changes, for example), then re-evaluates pins. */
  setOverride(bit: number, override: PinOverride | undefined): void {
    this.overrides[bit] = override;
    this.refresh();
  }

  reset(): void {
    this.dir = 0;
    this.out = 0;
    this.flags = 0;
    this.portctrl = 0;
    this.pinctrl.fill(0);
    this.updateIrq();
    this.refresh();
    this.lastIn = this.inValue();
  }

  /** The state a pin shows the outside world. */
  pinState(bit: number): PinState {
    const o = this.overrides[bit]?.();
    if (o !== undefined) return o;
    if (!(this.dir & (1 << bit))) return 'input';
    return this.out & (1 << bit) ? 'high' : 'low';
  }

  /** Reports pins whose external state changed, and edges on IN. */
  refresh(): void {
    const t = this.ctx.clock.time;
    for (let bit = 0; bit < this.config.pins; bit++) {
      const s = this.pinState(bit);
      if (s !== this.reported[bit]) {
        this.reported[bit] = s;
        const pin = this.pinName(bit);
        this.onPinChange(pin, s, t);
        this.ctx.trace({ type: 'pin', pin, state: s, t });
      }
    }
    const now = this.inValue();
    const changed = now ^ this.lastIn;
    if (changed) {
      for (let bit = 0; bit < 8; bit++) {
        if (!(changed & (1 << bit))) continue;
        const rising = (now & (1 << bit)) !== 0;
        const isc = this.pinctrl[bit]! & 0x07;
        if (isc === ISC_BOTHEDGES || (isc === ISC_RISING && rising) || (isc === ISC_FALLING && !rising)) {
          this.flags |= 1 << bit;
        }
      }
      this.lastIn = now;
    }
    for (let bit = 0; bit < 8; bit++) {
      if ((this.pinctrl[bit]! & 0x07) === ISC_LEVEL && !(now & (1 << bit))) this.flags |= 1 << bit;
    }
    this.updateIrq();
  }

  private pinLevel(bit: number): boolean {
    const state = this.pinState(bit);
    if (state !== 'input') return state === 'high';
    if (this.pinctrl[bit]! & PULLUPEN) return true;
    const pin = this.pinName(bit);
    if (this.analog && pin !== 'PA0' && this.config.letter === 'A') {
      const t = this.ctx.clock.time;
      return this.analog.pinVoltage(pin as AnalogPin, t) > this.analog.vdd(t) / 2;
    }
    return true; // PA0 (UPDI, pulled up), PB0/PB1 (I2C pull-ups), PB3 (idle UART line)
  }

  private inValue(): number {
    let v = 0;
    for (let bit = 0; bit < this.config.pins; bit++) {
      const ctrl = this.pinctrl[bit]!;
      if ((ctrl & 0x07) === ISC_INPUT_DISABLE) continue; // digital input buffer off: IN reads 0
      let level = this.pinLevel(bit);
      if (ctrl & INVEN) level = !level;
      if (level) v |= 1 << bit;
    }
    return v;
  }

  private updateIrq(): void {
    let enabled = 0;
    for (let bit = 0; bit < 8; bit++) {
      const isc = this.pinctrl[bit]! & 0x07;
      if (isc !== ISC_INTDISABLE && isc !== ISC_INPUT_DISABLE) enabled |= 1 << bit;
    }
    this.ctx.interrupts.setRequest(this.config.vector, (this.flags & enabled) !== 0);
  }

  read(offset: number): number {
    switch (offset) {
      case DIR:
      case DIRSET:
      case DIRCLR:
      case DIRTGL:
        return this.dir;
      case OUT:
      case OUTSET:
      case OUTCLR:
      case OUTTGL:
        return this.out;
      case IN:
        return this.inValue();
      case INTFLAGS:
        return this.flags;
      case PORTCTRL:
        return this.portctrl;
      default:
        if (offset >= PINCTRL0 && offset < PINCTRL0 + 8) return this.pinctrl[offset - PINCTRL0]!;
        return 0;
    }
  }

  write(offset: number, value: number): void {
    switch (offset) {
      case DIR:
        this.dir = value;
        break;
      case DIRSET:
        this.dir |= value;
        break;
      case DIRCLR:
        this.dir &= ~value;
        break;
      case DIRTGL:
        this.dir ^= value;
        break;
      case OUT:
        this.out = value;
        break;
      case OUTSET:
        this.out |= value;
        break;
      case OUTCLR:
        this.out &= ~value;
        break;
      case OUTTGL:
      case IN: // writing 1 to IN toggles OUT
        this.out ^= value;
        break;
      case INTFLAGS:
        this.flags &= ~value;
        break;
      case PORTCTRL:
        this.portctrl = value & 0x01;
        return;
      default:
        if (offset >= PINCTRL0 && offset < PINCTRL0 + 8) this.pinctrl[offset - PINCTRL0] = value & 0x8f;
        else return;
    }
    this.dir &= 0xff;
    this.out &= 0xff;
    this.refresh();
  }

  wakeVectors(): number {
    return 1 << this.config.vector;
  }
}

/** The virtual port: DIR, OUT, IN, INTFLAGS of the same port in the bit-addressable low I/O space. */
export class VPort implements Peripheral {
  readonly size = 4;

  constructor(
    private readonly port: Port,
    readonly name: string,
    readonly base: number,
  ) {}

  read(offset: number): number {
    return this.port.read([DIR, OUT, IN, INTFLAGS][offset]!);
  }

  write(offset: number, value: number): void {
    this.port.write([DIR, OUT, IN, INTFLAGS][offset]!, value);
  }

  reset(): void {
    // State lives in the PORT.
  }
}
