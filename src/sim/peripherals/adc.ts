// ADC0 (0x0600) of the tinyAVR 2-series: 12-bit, single-ended or differential, optional PGA (gain 1–16),
// single / series / burst accumulation, results computed from the board's analog model.
//
// Conversion time (ATtiny824 data sheet §30.3.3.6, PGA variants from the same-family ATtiny3224 pages), with
// f = f_CLK_PER / PRESC and t_init = INIT_SECONDS unless LOWLAT keeps the ADC initialised:
//   single 12-bit:  t_init + (SAMPDUR + 15) / f            (8-bit: + 11)
//   burst (N):      t_init + ((SAMPDUR + 14)·N + 1.5) / f
//   with the PGA:   single t_init + (SAMPDUR + 15.5 + PGASAMP) / f;  burst t_init + ((SAMPDUR + 2)·N + 14 + PGASAMP·N) / f
//   series:         one single conversion per trigger, RESRDY after N
// Each sample reads the inputs at the end of its sampling phase. The samples of a conversion are taken lazily
// (`sync`): when the result is due, when a register is accessed, and — through the chip — before a pin change
// or any other look at the board, always in time order and each at its own instant, so the outcome is the
// same as one clock event per sample (which is what runs while SAMPRDY or SAMPOVR may interrupt). A run of due
// samples over which the board promises steady inputs (AnalogFrontEnd.steadyBetween) and whose first and last
// give the same code well inside it is taken as one: every sample between gives that code (steadyCode).
// Codes are ideal (no noise, no offset/gain error): single-ended floor(V·gain/Vref·4096) in 0..4095, differential floor((Vp−Vn)·gain/Vref·2048) in
// −2048..2047 (8-bit: 256 / 128) — unless the board declares errors (AnalogFrontEnd.adcErrors): then the
// internal reference is scaled and the offset added to each code before the clamp (8-bit: offset / 16). Accumulated results are sums, sign-extended to 32 bits when differential;
// the *_SCALING modes shift sums of more than 16 samples down to 16 bits.
//
// TEMPSENSE: the sensor voltage is modelled so that the data sheet's correction, T = ((RESULT >> 2) − offset)
// · gain / 256 with TEMPSENSE0 = gain and TEMPSENSE1 = offset at REFSEL 1.024 V, gives back the die temperature:
// V = (T·256/gain + offset) mV. VDDDIV10 is VDD/10.

import type { AnalogFrontEnd, AnalogPin, SleepMode } from '../chip-types.js';
import type { ClockEvent } from '../cpu/events.js';
import type { Peripheral, ChipContext } from './peripheral.js';

export const ADC0_BASE = 0x0600;
const VEC_ERROR = 21;
const VEC_RESRDY = 22;
const VEC_SAMPRDY = 23;

const CTRLA = 0x00;
const CTRLB = 0x01;
const CTRLC = 0x02;
const CTRLD = 0x03;
const INTCTRL = 0x04;
const INTFLAGS = 0x05;
const STATUS = 0x06;
const DBGCTRL = 0x07;
const CTRLE = 0x08;
const CTRLF = 0x09;
const COMMAND = 0x0a;
const PGACTRL = 0x0b;
const MUXPOS = 0x0c;
const MUXNEG = 0x0d;
const RESULT0 = 0x10;
const SAMPLE0 = 0x14;
const TEMP0 = 0x18;
const WINLT0 = 0x1c;

const ENABLE = 0x01;
const LOWLAT = 0x20;
const RUNSTDBY = 0x80;
const RESRDY = 0x01;
const SAMPRDY = 0x02;
const RESOVR = 0x08;
const SAMPOVR = 0x10;
const TRIGOVR = 0x20;
/** INTCTRL sources raised per sample: with either enabled, every sample is a clock event of its own. */
const PER_SAMPLE_IRQS = SAMPRDY | SAMPOVR;
const LEFTADJ = 0x10;
const FREERUN = 0x20;
const DIFF = 0x80;
const PGAEN = 0x01;
const VIA_PGA = 0x40;

/** Initialisation time before the first sample when the ADC is not kept on (upper end of the data sheet's 0–60 µs). */
export const INIT_SECONDS = 60e-6;

const PRESC_DIV = [2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64];
const REF_VOLTS: Record<number, number | 'VDD' | 'VREFA'> = { 0: 'VDD', 2: 'VREFA', 4: 1.024, 5: 2.048, 6: 2.5, 7: 4.096 };
const PGA_SAMP_CLK = [6, 15, 20, 20];
const PGA_GAINS = [1, 2, 4, 8, 16];
/** MUXPOS/MUXNEG 1..7 → the pin (no string built per sample). */
const AIN_PINS: readonly AnalogPin[] = ['PA1', 'PA1', 'PA2', 'PA3', 'PA4', 'PA5', 'PA6', 'PA7'];

/** The TEMPSENSE input (MUXPOS). */
const TEMPSENSE = 0x32;
/** Shortest run of due samples worth the steady check (it evaluates two). */
const MIN_STEADY_RUN = 3;
/** How far inside one code (in codes) both ends of a steady run must lie (see steadyCode). */
const STEADY_MARGIN = 1e-6;

export const MODE = { SINGLE_8BIT: 0, SINGLE_12BIT: 1, SERIES: 2, SERIES_SCALING: 3, BURST: 4, BURST_SCALING: 5 } as const;

export interface TempsenseCalibration {
  gain: number;
  offset: number;
}

/** Sensor output voltage for a die temperature (see header). */
export function tempsenseVolts(kelvin: number, cal: TempsenseCalibration): number {
  return ((kelvin * 256) / cal.gain + cal.offset) / 1000;
}

export class Adc implements Peripheral {
  readonly name = 'ADC0';
  readonly base = ADC0_BASE;
  readonly size = 0x20;
  private readonly regs = new Uint8Array(0x20);
  private flags = 0;
  private result = 0;
  private sample = 0;
  private busy = false;
  private initialised = false;
  /** Conversion in progress: samples still to take, when the next one is taken, the sample period, when the
   * result is ready (absolute simulated seconds). */
  private samplesLeft = 0;
  private accumulator = 0;
  private seriesCount = 0;
  private nextSampleAt = 0;
  private perSample = 0;
  private resultAt = 0;
  /** Set while CLK_ADC is stopped (standby without RUNSTDBY): the conversion resumes where it stood. */
  private pausedAt: number | undefined;
  private readonly event: ClockEvent;
  /** Conversions completed since reset (for tests and traces). */
  conversions = 0;
  /** Take a steady run of a burst's samples as one (on by default; off to compare: every sample on its own). */
  steadyBursts = true;
  /** Runs of samples taken as one so far (tests, bench). */
  steadyRuns = 0;

  constructor(
    private readonly ctx: ChipContext,
    private readonly analog: AnalogFrontEnd | undefined,
    private readonly cpuHz: () => number,
    private readonly tempsense: () => TempsenseCalibration,
  ) {
    this.event = ctx.clock.event(() => this.onDue());
  }

  reset(): void {
    this.ctx.clock.cancel(this.event);
    this.pausedAt = undefined;
    this.regs.fill(0);
    this.flags = 0;
    this.result = 0;
    this.sample = 0;
    this.busy = false;
    this.initialised = false;
    this.samplesLeft = 0;
    this.accumulator = 0;
    this.seriesCount = 0;
    this.conversions = 0;
    this.updateIrq();
  }

  // ---- configuration helpers --------------------------------------------------------------------------------

  get adcHz(): number {
    return this.cpuHz() / PRESC_DIV[this.regs[CTRLB]! & 0x0f]!;
  }

  private get mode(): number {
    return (this.regs[COMMAND]! >> 4) & 0x07;
  }

  private get differential(): boolean {
    return (this.regs[COMMAND]! & DIFF) !== 0;
  }

  private get viaPga(): boolean {
    return (this.regs[MUXPOS]! & 0xc0) === VIA_PGA;
  }

  private get sampleCount(): number {
    const n = this.regs[CTRLF]! & 0x0f;
    return 1 << Math.min(n, 10);
  }

  get pgaGain(): number {
    return PGA_GAINS[(this.regs[PGACTRL]! >> 5) & 0x07] ?? 16;
  }

  /** Duration of one conversion (all samples of a burst), per the header formulas. */
  conversionSeconds(): number {
    const f = this.adcHz;
    const sampdur = this.regs[CTRLE]!;
    const pga = this.viaPga;
    const pgaSamp = PGA_SAMP_CLK[(this.regs[PGACTRL]! >> 1) & 0x03]!;
    const init = this.initialised && this.regs[CTRLA]! & LOWLAT ? 0 : INIT_SECONDS;
    const mode = this.mode;
    if (mode === MODE.BURST || mode === MODE.BURST_SCALING) {
      const n = this.sampleCount;
      return init + (pga ? (sampdur + 2) * n + 14 + pgaSamp * n : (sampdur + 14) * n + 1.5) / f;
    }
    const conv = mode === MODE.SINGLE_8BIT ? 11 : 15;
    return init + (pga ? sampdur + conv + 0.5 + pgaSamp : sampdur + conv) / f;
  }

  // ---- analog inputs ----------------------------------------------------------------------------------------

  private channelVolts(mux: number, t: number): number {
    const ch = mux & 0x3f;
    if (ch >= 1 && ch <= 7) return this.analog ? this.analog.pinVoltage(AIN_PINS[ch]!, t) : 0;
    switch (ch) {
      case 0x30:
        return 0;
      case 0x31:
        return this.analog ? this.analog.vdd(t) / 10 : 0;
      case TEMPSENSE:
        // The SIGROW calibration was measured against this part's own reference: scaled with it.
        return this.analog ? tempsenseVolts(this.analog.temperatureK(t), this.plan.tempsense) * this.plan.referenceScale : 0;
      default:
        this.ctx.unimplemented(`ADC0 input 0x${ch.toString(16)} (not wired in the model)`);
        return 0;
    }
  }

  /** What every sample of the running conversion reads: fixed while it runs (a register write re-plans), so a
   * sample only asks the board for the voltages that move. Updated in place (no object per conversion). */
  private readonly plan = {
    gain: 1,
    pgaOff: false,
    differential: false,
    full: 4096,
    /** What the conversion compares with: a fixed internal reference (its volts in `fixedVolts`), VDD or VREFA.
     * Kept apart so that `fixedVolts` stays a plain number field (no box per conversion). */
    reference: 'fixed' as 'fixed' | 'VDD' | 'VREFA',
    fixedVolts: 1.024,
    tempsense: { gain: 0, offset: 0 },
    referenceScale: 1,
    offset: 0,
    /** The inputs qualify for taking a steady run of samples as one (see sync). */
    steady: false,
  };

  private replan(): void {
    const eightBit = this.mode === MODE.SINGLE_8BIT;
    const differential = this.differential;
    const viaPga = this.viaPga;
    const reference = REF_VOLTS[this.regs[CTRLC]! & 0x07];
    if (reference === undefined) this.ctx.unimplemented('ADC0 reserved REFSEL');
    const errors = this.analog?.adcErrors;
    const referenceScale = errors?.referenceScale ?? 1;
    const p = this.plan;
    p.gain = viaPga ? this.pgaGain : 1;
    p.pgaOff = viaPga && !(this.regs[PGACTRL]! & PGAEN);
    p.differential = differential;
    p.full = differential ? (eightBit ? 128 : 2048) : eightBit ? 256 : 4096;
    // The board's errors bend the internal references only (VDD and VREFA are what they are).
    p.reference = typeof reference === 'number' || reference === undefined ? 'fixed' : reference;
    p.fixedVolts = typeof reference === 'number' ? reference * referenceScale : 1.024 * referenceScale;
    // Read for the TEMPSENSE input only (the signature row hands out a fresh object).
    if ((this.regs[MUXPOS]! & 0x3f) === TEMPSENSE) p.tempsense = this.tempsense();
    p.referenceScale = referenceScale;
    p.offset = Math.round((errors?.offsetLsb ?? 0) / (eightBit ? 16 : 1));
    // A steady run needs a code that is monotone in what the board promises to be monotone: a fixed reference
    // (a ratio to VDD is not), and one input, or two that both follow the cell (not the temperature against it).
    const pos = this.regs[MUXPOS]! & 0x3f;
    const neg = this.regs[MUXNEG]! & 0x3f;
    p.steady =
      this.analog?.steadyBetween !== undefined &&
      p.reference === 'fixed' &&
      p.fixedVolts > 0 &&
      !p.pgaOff &&
      (differential ? followsCell(pos) && followsCell(neg) : followsCell(pos) || pos === TEMPSENSE);
  }

  private referenceVolts(t: number): number {
    const sel = this.plan.reference;
    if (sel === 'fixed') return this.plan.fixedVolts;
    if (sel === 'VDD') return this.analog ? this.analog.vdd(t) : 0;
    return this.analog ? this.analog.pinVoltage('PA5', t) : 0;
  }

  /** One conversion code at time t. */
  private convert(t: number): number {
    const p = this.plan;
    if (p.pgaOff) {
      this.ctx.unimplemented('ADC0 input via a disabled PGA');
      return 0;
    }
    const vref = this.referenceVolts(t);
    if (vref <= 0) return 0;
    return this.code(this.level(t, vref));
  }

  /** The input at time t in codes, before rounding: what `code` turns into the conversion's result. */
  private level(t: number, vref: number): number {
    const p = this.plan;
    const vp = this.channelVolts(this.regs[MUXPOS]!, t);
    if (p.differential) {
      const vn = this.channelVolts(this.regs[MUXNEG]!, t);
      return ((vp - vn) * p.gain * p.full) / vref;
    }
    return (vp * p.gain * p.full) / vref;
  }

  private code(level: number): number {
    const p = this.plan;
    const full = p.full;
    return p.differential ? clamp(Math.floor(level) + p.offset, -full, full - 1) : clamp(Math.floor(level) + p.offset, 0, full - 1);
  }

  /**
   * The code every sample from `first` to `last` would give, if they provably all give the same one; undefined
   * if not shown. The board promises (steadyBetween) that in exact arithmetic the input is monotone in time over
   * the run, so every sample's exact level lies between the two ends'. The computed levels differ from the exact
   * ones by rounding only (a few ulps of a few dozen operations, under 1e-9 codes); with both ends at least
   * STEADY_MARGIN inside the same code, every computed level in between rounds down to that code too.
   */
  private steadyCode(first: number, last: number): number | undefined {
    const p = this.plan;
    if (!p.steady) return undefined;
    const vref = p.fixedVolts;
    const a = this.level(first, vref);
    if (!this.analog!.steadyBetween!(first, last)) return undefined;
    const b = this.level(last, vref);
    const floor = Math.floor(a);
    if (Math.floor(b) !== floor || Math.min(a, b) - floor < STEADY_MARGIN || floor + 1 - Math.max(a, b) < STEADY_MARGIN) return undefined;
    return this.code(a);
  }

  // ---- conversion sequencing --------------------------------------------------------------------------------

  private start(): void {
    if (!(this.regs[CTRLA]! & ENABLE)) return;
    if (this.busy) {
      this.flags |= TRIGOVR;
      this.updateIrq();
      return;
    }
    this.busy = true;
    const mode = this.mode;
    const burst = mode === MODE.BURST || mode === MODE.BURST_SCALING;
    const n = burst ? this.sampleCount : 1;
    const f = this.adcHz;
    const sampdur = this.regs[CTRLE]!;
    const pgaSamp = PGA_SAMP_CLK[(this.regs[PGACTRL]! >> 1) & 0x03]!;
    const init = this.initialised && this.regs[CTRLA]! & LOWLAT ? 0 : INIT_SECONDS;
    // Sample k ends its sampling phase at init + (SAMPDUR + 0.5 + k·period) / f; the result is ready at the
    // end of the whole conversion (conversionSeconds).
    const now = this.ctx.clock.time;
    this.perSample = (this.viaPga ? sampdur + 2 + pgaSamp : sampdur + 14) / f;
    this.nextSampleAt = now + init + (sampdur + 0.5) / f;
    this.resultAt = now + this.conversionSeconds();
    this.samplesLeft = n;
    if (mode !== MODE.SERIES && mode !== MODE.SERIES_SCALING) this.accumulator = 0;
    this.replan();
    this.arm();
  }

  /** Schedules the next thing that must happen on time: the result, or the next sample if it may interrupt. */
  private arm(): void {
    if (!this.busy || this.pausedAt !== undefined) return;
    const perSample = this.samplesLeft > 0 && (this.regs[INTCTRL]! & PER_SAMPLE_IRQS) !== 0;
    this.ctx.clock.rearm(this.event, perSample ? this.nextSampleAt : this.resultAt);
  }

  private onDue(): void {
    this.sync();
    if (this.samplesLeft === 0 && this.ctx.clock.time >= this.resultAt) this.finish();
    else this.arm();
  }

  /** Takes every sample due by now, each at its own instant (see the header). A run of them whose inputs the
   * board shows steady, and whose ends give the same code, gives that code throughout (steadyCode): it is
   * taken at once, with the same result and flags. */
  sync(): void {
    if (!this.busy || this.pausedAt !== undefined) return;
    const now = this.ctx.clock.time;
    if (this.samplesLeft === 0 || this.nextSampleAt > now) return;
    // How many are due, and the last one's instant, by the same additions as taking them one by one.
    let due = 1;
    let last = this.nextSampleAt;
    while (due < this.samplesLeft && last + this.perSample <= now) {
      last += this.perSample;
      due++;
    }
    const steady = this.steadyBursts && due >= MIN_STEADY_RUN ? this.steadyCode(this.nextSampleAt, last) : undefined;
    if (steady !== undefined) {
      this.steadyRuns++;
      this.take(steady, due);
      this.nextSampleAt = last + this.perSample;
    } else {
      for (let i = 0; i < due; i++) {
        this.take(this.convert(this.nextSampleAt), 1);
        this.nextSampleAt += this.perSample;
      }
    }
    // The request lines once for all the samples taken: nothing runs between them that could see the lines.
    this.updateIrq();
  }

  /** `n` samples that all gave `code`, one after the other. */
  private take(code: number, n: number): void {
    this.sample = code;
    this.accumulator += code * n;
    this.samplesLeft -= n;
    if (this.flags & SAMPRDY || n > 1) this.flags |= SAMPOVR;
    this.flags |= SAMPRDY;
  }

  private finish(): void {
    this.busy = false;
    this.initialised = true;
    const mode = this.mode;
    const series = mode === MODE.SERIES || mode === MODE.SERIES_SCALING;
    let ready = true;
    if (series) {
      this.seriesCount++;
      ready = this.seriesCount >= this.sampleCount;
    }
    if (ready) {
      let value = this.accumulator;
      const n = mode <= MODE.SINGLE_12BIT ? 1 : this.sampleCount;
      if ((mode === MODE.SERIES_SCALING || mode === MODE.BURST_SCALING) && n > 16) {
        value = Math.floor(value / (n / 16));
      }
      if (mode <= MODE.SINGLE_12BIT && this.regs[CTRLF]! & LEFTADJ) value = value * (mode === MODE.SINGLE_8BIT ? 256 : 16);
      if (this.flags & RESRDY) this.flags |= RESOVR;
      this.result = value | 0;
      this.flags |= RESRDY;
      this.accumulator = 0;
      this.seriesCount = 0;
      this.conversions++;
    }
    // A one-shot IMMEDIATE command reads back as STOP once done.
    if ((this.regs[COMMAND]! & 0x07) === 1) this.regs[COMMAND] = this.regs[COMMAND]! & ~0x07;
    this.updateIrq();
    if (this.regs[CTRLF]! & FREERUN && this.regs[CTRLA]! & ENABLE) this.start();
  }

  private stop(): void {
    this.ctx.clock.cancel(this.event);
    this.pausedAt = undefined;
    this.busy = false;
    this.accumulator = 0;
    this.seriesCount = 0;
  }

  private updateIrq(): void {
    const en = this.regs[INTCTRL]!;
    const f = this.flags;
    this.ctx.interrupts.setRequest(VEC_RESRDY, (en & f & (RESRDY | 0x04)) !== 0);
    this.ctx.interrupts.setRequest(VEC_SAMPRDY, (en & f & SAMPRDY) !== 0);
    this.ctx.interrupts.setRequest(VEC_ERROR, (en & f & (RESOVR | SAMPOVR | TRIGOVR)) !== 0);
  }

  // ---- registers --------------------------------------------------------------------------------------------

  read(offset: number): number {
    this.sync();
    if (offset >= RESULT0 && offset < RESULT0 + 4) {
      // Reading RESULT clears RESRDY.
      if (this.flags & RESRDY) {
        this.flags &= ~RESRDY;
        this.updateIrq();
      }
      return (this.result >>> (8 * (offset - RESULT0))) & 0xff;
    }
    if (offset === SAMPLE0 || offset === SAMPLE0 + 1) {
      if (this.flags & SAMPRDY) {
        this.flags &= ~SAMPRDY;
        this.updateIrq();
      }
      return ((this.sample & 0xffff) >> (8 * (offset - SAMPLE0))) & 0xff;
    }
    switch (offset) {
      case INTFLAGS:
        return this.flags;
      case STATUS:
        return this.busy ? 0x01 : 0;
      default:
        return this.regs[offset]!;
    }
  }

  write(offset: number, value: number): void {
    this.sync();
    this.writeRegister(offset, value);
    // The samples still to come read the new settings.
    if (this.busy) this.replan();
  }

  private writeRegister(offset: number, value: number): void {
    switch (offset) {
      case CTRLA:
        this.regs[CTRLA] = value & (ENABLE | LOWLAT | RUNSTDBY);
        if (!(value & ENABLE)) {
          this.stop();
          this.initialised = false;
        }
        return;
      case INTCTRL:
        this.regs[INTCTRL] = value & 0x3f;
        this.updateIrq();
        this.arm();
        return;
      case INTFLAGS:
        this.flags &= ~value;
        this.updateIrq();
        return;
      case STATUS:
        return;
      case CTRLD:
        this.regs[CTRLD] = value;
        if (value & 0x07) this.ctx.unimplemented('ADC0 window comparator');
        return;
      case COMMAND: {
        this.regs[COMMAND] = value;
        const startCmd = value & 0x07;
        if (startCmd === 0) this.stop();
        else if (startCmd === 1) this.start();
        else if (startCmd === 4) this.ctx.unimplemented('ADC0 event trigger');
        return;
      }
      case MUXPOS:
        this.regs[MUXPOS] = value;
        if ((this.regs[COMMAND]! & 0x07) === 2) this.start();
        return;
      case MUXNEG:
        this.regs[MUXNEG] = value;
        if ((this.regs[COMMAND]! & 0x07) === 3) this.start();
        return;
      default:
        if (offset >= TEMP0 && offset <= TEMP0 + 2) {
          this.regs[offset] = value;
          return;
        }
        if (offset >= WINLT0 && offset < WINLT0 + 4) {
          this.regs[offset] = value;
          return;
        }
        if (offset === CTRLB || offset === CTRLC || offset === CTRLE || offset === CTRLF || offset === PGACTRL || offset === DBGCTRL) {
          this.regs[offset] = value;
        }
    }
  }

  sleepChanged(mode: SleepMode | undefined): void {
    const runs = mode === undefined || mode === 'idle' || (mode === 'standby' && this.regs[CTRLA]! & RUNSTDBY);
    const now = this.ctx.clock.time;
    if (runs && this.pausedAt !== undefined) {
      const shift = now - this.pausedAt;
      this.pausedAt = undefined;
      this.nextSampleAt += shift;
      this.resultAt += shift;
      this.arm();
    } else if (!runs && this.busy && this.pausedAt === undefined) {
      this.sync();
      this.pausedAt = now;
      this.ctx.clock.cancel(this.event);
    }
  }

  wakeVectors(mode: SleepMode): number {
    if (mode === 'pdown' || (mode === 'standby' && !(this.regs[CTRLA]! & RUNSTDBY))) return 0;
    return (1 << VEC_RESRDY) | (1 << VEC_SAMPRDY) | (1 << VEC_ERROR);
  }
}

/** AIN1–AIN7, GND and VDDDIV10: inputs that are the cell's voltage through the board, or constant. */
function followsCell(ch: number): boolean {
  return (ch >= 1 && ch <= 7) || ch === 0x30 || ch === 0x31;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
