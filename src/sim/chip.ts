// The emulated ATtiny824: the AVRxt core, its peripherals, the NVM and the UPDI, wired as on the part.
//
// Time is event-driven: `runUntil(t)` executes instructions and fires peripheral events in time order, and a
// sleeping core skips straight to the next event, so idle time costs nothing. The board around the chip sees
// only the callbacks (pins, UART bytes, trace) and the analog front end the ADC asks.
//
// The chip owns its one NVM controller and its UPDI target, both on the chip's clock: a programmer's page write
// keeps NVMCTRL busy for 2 ms of the chip's time, whoever asks (CPU or UPDI). While the CPU is held (a programmer
// holds it in reset, or the owner parked it), `runUntil` still moves time, without executing instructions — the
// UPDI wire (updi/port.ts) does that as host bytes arrive, so NVM waits end.

import { Cpu, SRAM_START, type CpuBus } from './cpu/cpu.js';
import { SimClock, type ClockEvent } from './cpu/events.js';
import { InterruptController } from './cpu/interrupts.js';
import type {
  AnalogFrontEnd,
  ChipCallbacks,
  ChipTraceEvent,
  PinName,
  PinState,
  ResetCause,
  SleepMode,
} from './chip-types.js';
import { FUSE, NVM_ADDR, NvmMemories, SIGROW_OFFSET } from './nvm/memories.js';
import { NVMCTRL_REG, NVMCTRL_SIZE, Nvmctrl, type NvmEvent, type NvmTimings } from './nvm/nvmctrl.js';
import { NvmDataSpace, NvmWindowRegion, ReadOnlyRegion, SyscfgRegion, type DataRegion } from './nvm/dataspace.js';
import { Adc } from './peripherals/adc.js';
import { Clkctrl } from './peripherals/clkctrl.js';
import { Cpuint } from './peripherals/cpuint.js';
import { I2cHost, type I2cHostOptions } from './peripherals/i2c-host.js';
import { RamBlock, StubBlock, type ChipContext, type Peripheral } from './peripherals/peripheral.js';
import { PORTA_CONFIG, PORTB_CONFIG, Port } from './peripherals/port.js';
import { Rstctrl } from './peripherals/rstctrl.js';
import { Rtc } from './peripherals/rtc.js';
import { Slpctrl } from './peripherals/slpctrl.js';
import { Twi } from './peripherals/twi.js';
import { Usart } from './peripherals/usart.js';
import { Wdt } from './peripherals/wdt.js';
import { DATA_SPACE } from '../part/tinyavr2.js';
import { UpdiTarget, type UpdiEvent } from './updi/target.js';

export const IO_END = DATA_SPACE.IO_END;
const NVMCTRL_EE_VECTOR = 29;
/** FUSE.SYSCFG1.SUT → start-up delay after reset (0, 1, 2, 4, 8, 16, 32, 64 ms). */
const SUT_SECONDS = [0, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064];
const ALL_VECTORS = -1;

export interface Attiny824Options extends ChipCallbacks {
  /** The part's nonvolatile memories (the CPU fetches from `memories.flash`). */
  memories: NvmMemories;
  /** Analog inputs for the ADC (and digital input levels of PA1–PA7); without it they read 0 V. */
  analog?: AnalogFrontEnd;
  /** Everything worth showing with `--trace`. */
  trace?: (event: ChipTraceEvent) => void;
  /** NVM operation durations (default: the data sheet's typical times). */
  nvmTimings?: Partial<NvmTimings>;
  /** NVM contents changed (CPU self-programming or UPDI): a state file is now out of date. */
  onNvmChange?: () => void;
  /** Every NVM command and rejected page-buffer load, with who asked (CPU or UPDI). */
  onNvmEvent?: (event: NvmEvent) => void;
  /** What the UPDI did (enabled, keys, programming modes, BREAKs, session end). */
  onUpdiEvent?: (event: UpdiEvent) => void;
  /** The UPDI started or stopped holding the CPU (reset request or a programming mode). */
  onUpdiHold?: (held: boolean) => void;
  /** See {@link UpdiTargetOptions.breakIdleSeconds}. */
  breakIdleSeconds?: number;
  /** Virtual I2C host settings. */
  i2c?: I2cHostOptions;
  /** Fast-forward through idle polling loops (default true; the results are the same either way). */
  fastForward?: boolean;
  /** Execute known library routines natively (default true; the results are the same either way). */
  nativeRoutines?: boolean;
}

export type RunResult = 'limit' | 'break';

/** Adapts a DataRegion of the NVM model to the I/O map. */
class RegionPeripheral implements Peripheral {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  constructor(
    private readonly region: DataRegion,
    /** Whether reads are stable (Peripheral.stableRead) — the region says nothing about it. */
    private readonly stable = false,
  ) {
    this.name = region.name;
    this.base = region.start;
    this.size = region.size;
  }
  read(offset: number): number {
    return this.region.read(offset);
  }
  write(offset: number, value: number): void {
    this.region.write(offset, value);
  }
  reset(): void {}
  stableRead(): boolean {
    return this.stable;
  }
}

export class Attiny824 {
  readonly memories: NvmMemories;
  readonly clock: SimClock;
  readonly interrupts = new InterruptController();
  readonly cpu: Cpu;
  readonly nvmctrl: Nvmctrl;
  /** The UPDI as a programmer reaches it: feed it host bytes with `updi.receive`; replies go to {@link connectUpdi}. */
  readonly updi: UpdiTarget;
  /** The data space as the UPDI sees it (the NVM windows, NVMCTRL with UPDI rights, SYSCFG). */
  readonly updiSpace: NvmDataSpace;
  readonly i2c: I2cHost;

  readonly clkctrl: Clkctrl;
  readonly slpctrl: Slpctrl;
  readonly rstctrl: Rstctrl;
  readonly wdt: Wdt;
  readonly cpuint: Cpuint;
  readonly rtc: Rtc;
  readonly portA: Port;
  readonly portB: Port;
  readonly adc: Adc;
  readonly usart: Usart;
  readonly twi: Twi;

  /** Accesses to data addresses with nothing behind them. */
  unmappedReads = 0;
  unmappedWrites = 0;
  /** Unimplemented registers/features used, with counts. */
  readonly unimplemented = new Map<string, number>();
  /** Writes to CCP-protected registers without the key, by register. */
  readonly ccpViolations = new Map<string, number>();
  /** Resets since construction, by cause. */
  readonly resets: { cause: ResetCause; t: number }[] = [];
  /** Current sleep mode, or undefined while the core runs. */
  sleepMode: SleepMode | undefined;
  /** Why the CPU is not executing: held in reset (UPDI or owner), starting up after reset, or stopped by BREAK. */
  private resetHeld = false;
  /** The two sources of a reset hold: the chip's own UPDI, and its owner ({@link setResetHeld}). */
  private updiHold = false;
  private ownerHold = false;
  private updiTransmit: (byte: number, idleBits: number) => void = () => {};
  private startupUntil = 0;
  private readonly peripherals: Peripheral[];
  /** The peripherals that care about sleep (paused clocks) and that can wake the core. */
  private readonly sleepAware: Peripheral[];
  private readonly wakeSources: Peripheral[];
  private readonly ioOwner: (Peripheral | undefined)[] = new Array(IO_END).fill(undefined);
  private readonly nvmSpace: NvmDataSpace;
  private readonly eeReadyEvent: ClockEvent;
  private readonly traceFn: ((event: ChipTraceEvent) => void) | undefined;

  constructor(private readonly options: Attiny824Options) {
    this.memories = options.memories;
    this.traceFn = options.trace;
    this.clock = new SimClock(20_000_000 / 6);
    this.eeReadyEvent = this.clock.event(() => this.updateEeReady());
    const bus: CpuBus = { read: (a) => this.busRead(a), write: (a, v) => this.busWrite(a, v), stable: (a) => this.stableRead(a) };
    this.cpu = new Cpu(
      this.memories.flash,
      bus,
      this.clock,
      this.interrupts,
      {
        sleep: () => this.enterSleep(),
        watchdogReset: () => this.wdt.watchdogReset(),
        wake: () => this.wake(),
        illegalOpcode: (address, opcode) => this.trace({ type: 'illegal-opcode', address, opcode, t: this.time }),
      },
      () => this.memories.fuses[FUSE.BOOTEND]! * 256,
    );
    this.cpu.fastForward = options.fastForward ?? true;
    this.cpu.nativeRoutines = options.nativeRoutines ?? true;
    const ctx: ChipContext = {
      clock: this.clock,
      cpu: this.cpu,
      interrupts: this.interrupts,
      trace: (e) => this.trace(e),
      unimplemented: (what) => this.noteUnimplemented(what),
      ccpViolation: (register) => this.noteCcpViolation(register),
    };

    const chipTime = { now: () => this.clock.time };
    this.nvmctrl = new Nvmctrl(this.memories, chipTime, {
      timings: options.nvmTimings,
      onChange: () => {
        this.cpu.invalidateCode();
        options.onNvmChange?.();
      },
      onEvent: (e) => this.nvmEvent(e),
    });
    this.updiSpace = NvmDataSpace.updiView(this.memories, this.nvmctrl);
    this.updi = new UpdiTarget({
      dataSpace: this.updiSpace,
      memories: this.memories,
      nvmctrl: this.nvmctrl,
      clock: chipTime,
      transmit: (byte, idleBits) => this.updiTransmit(byte, idleBits),
      control: { setResetHeld: (held) => this.setUpdiHold(held) },
      onEvent: options.onUpdiEvent,
      breakIdleSeconds: options.breakIdleSeconds,
    });

    // The ADC takes its samples lazily: it catches up before the board hears of a pin change or is asked
    // anything else, so the board is always queried in time order.
    const onPin = (pin: PinName, state: PinState, t: number) => {
      this.adc.sync();
      options.onPinChange?.(pin, state, t);
    };
    const analog = options.analog;
    const pinsAnalog: AnalogFrontEnd | undefined = analog && {
      pinVoltage: (pin, t) => (this.adc.sync(), analog.pinVoltage(pin, t)),
      temperatureK: (t) => (this.adc.sync(), analog.temperatureK(t)),
      vdd: (t) => (this.adc.sync(), analog.vdd(t)),
    };
    this.clkctrl = new Clkctrl(ctx, (hz) => {
      this.clock.setCpuHz(hz);
      this.trace({ type: 'clock', hz, t: this.time });
    });
    this.slpctrl = new Slpctrl();
    this.rstctrl = new Rstctrl(ctx, (cause) => this.requestReset(cause));
    this.wdt = new Wdt(ctx, () => this.requestReset('watchdog'));
    this.cpuint = new Cpuint(ctx);
    this.rtc = new Rtc(ctx);
    this.portA = new Port(ctx, PORTA_CONFIG, pinsAnalog, onPin);
    this.portB = new Port(ctx, PORTB_CONFIG, pinsAnalog, onPin);
    const cpuHz = () => this.clock.cpuHz;
    this.adc = new Adc(ctx, options.analog, cpuHz, () => ({
      gain: this.memories.sigrow[SIGROW_OFFSET.tempsense0]!,
      offset: (this.memories.sigrow[SIGROW_OFFSET.tempsense1]! << 24) >> 24,
    }));
    this.usart = new Usart(
      ctx,
      cpuHz,
      (byte, t) => options.onUartByte?.(byte, t),
      () => this.portB.refresh(),
    );
    // USART0 TxD (PB2) is driven by the transmitter, idle high, while TXEN is set and PB2 is an output.
    this.portB.setOverride(2, () => {
      if (!this.usart.txEnabled) return undefined;
      return this.portB.read(0) & 0x04 ? 'high' : 'input';
    });
    this.twi = new Twi(ctx);
    this.i2c = new I2cHost(this, this.twi, options.i2c);

    const nvmctrlRegion: DataRegion = {
      name: 'NVMCTRL',
      start: NVM_ADDR.nvmctrl,
      size: NVMCTRL_SIZE,
      read: (offset) => this.nvmctrl.readRegister(offset),
      write: (offset, value) => this.writeNvmctrl(offset, value),
    };
    this.peripherals = [
      this.portA.vport,
      this.portB.vport,
      new StubBlock(ctx, 'VPORTC', 0x0008, 4),
      new RamBlock('GPIOR', 0x001c, 4),
      this.rstctrl,
      this.slpctrl,
      this.clkctrl,
      new StubBlock(ctx, 'BOD', 0x0080, 0x10),
      new StubBlock(ctx, 'VREF', 0x00a0, 0x10),
      this.wdt,
      this.cpuint,
      new StubBlock(ctx, 'CRCSCAN', 0x0120, 0x10),
      this.rtc,
      new StubBlock(ctx, 'EVSYS', 0x0180, 0x40),
      new StubBlock(ctx, 'CCL', 0x01c0, 0x40),
      this.portA,
      this.portB,
      new StubBlock(ctx, 'PORTC', 0x0440, 0x20),
      new StubBlock(ctx, 'PORTMUX', 0x05e0, 0x10),
      this.adc,
      new StubBlock(ctx, 'AC0', 0x0680, 0x10),
      this.usart,
      new StubBlock(ctx, 'USART1', 0x0820, 0x20),
      this.twi,
      new StubBlock(ctx, 'SPI0', 0x08c0, 0x10),
      new StubBlock(ctx, 'TCA0', 0x0a00, 0x40),
      new StubBlock(ctx, 'TCB0', 0x0a80, 0x10),
      new StubBlock(ctx, 'TCB1', 0x0a90, 0x10),
      new RegionPeripheral(new SyscfgRegion(), true),
      // NVMCTRL's busy bits end at eeReadyEvent (updateEeReady), so they are stable too.
      new RegionPeripheral(nvmctrlRegion, true),
    ];
    this.sleepAware = this.peripherals.filter((p) => p.sleepChanged);
    this.wakeSources = this.peripherals.filter((p) => p.wakeVectors);
    for (const p of this.peripherals) {
      for (let a = p.base; a < p.base + p.size; a++) {
        if (this.ioOwner[a]) throw new Error(`I/O map: ${p.name} overlaps ${this.ioOwner[a]!.name} at 0x${a.toString(16)}`);
        this.ioOwner[a] = p;
      }
    }
    const m = this.memories;
    this.nvmSpace = new NvmDataSpace([
      new ReadOnlyRegion('SIGROW', NVM_ADDR.sigrow, m.sigrow),
      new ReadOnlyRegion('FUSES', NVM_ADDR.fuses, m.fuses),
      new ReadOnlyRegion('LOCKBIT', NVM_ADDR.lockbits, m.lockbits),
      new NvmWindowRegion('USERROW', NVM_ADDR.userrow, m.userrow, this.nvmctrl),
      new NvmWindowRegion('EEPROM', NVM_ADDR.eeprom, m.eeprom, this.nvmctrl),
      new NvmWindowRegion('FLASH', NVM_ADDR.flash, m.flash, this.nvmctrl),
    ]);
    this.reset('power-on');
  }

  // ---- public API -------------------------------------------------------------------------------------------

  /** Simulated time in seconds since power-up. */
  get time(): number {
    return this.clock.time;
  }

  /** CPU clock cycles since power-up (running, sleeping, stopped or held in reset). */
  get cycles(): number {
    return this.clock.cycles;
  }

  /** CPU clock cycles spent executing (not asleep, not held in reset or stopped) — the power figure. */
  get activeCycles(): number {
    return this.cpu.activeCycles;
  }

  /** True when the CPU stopped at a BREAK (peripherals keep running). */
  get stopped(): boolean {
    return this.cpu.stopped;
  }

  /** Runs the chip until simulated time `t` (seconds). Returns 'break' if the CPU is stopped at a BREAK. */
  runUntil(t: number): RunResult {
    // The cycle target is re-derived every round: the CPU frequency may change on the way (CLKCTRL).
    for (let until = this.clock.cycleAt(t); this.clock.cycles < until; until = this.clock.cycleAt(t)) {
      if (this.resetHeld || this.cpu.stopped || this.clock.time < this.startupUntil) {
        const hold = this.resetHeld || this.cpu.stopped ? until : Math.min(until, this.clock.cycleAt(this.startupUntil));
        this.idleUntil(Math.max(hold, this.clock.cycles + 1));
        continue;
      }
      if (this.cpu.run(until, this.startingUp) === 'break') this.trace({ type: 'break', pc: this.cpu.pc * 2, t: this.time });
    }
    // Whoever looks at the board next sees it after every ADC sample taken by now.
    this.adc.sync();
    return this.cpu.stopped ? 'break' : 'limit';
  }

  /** Resets the chip now (all peripherals to reset state, CPU from address 0 after the start-up time). */
  reset(cause: ResetCause): void {
    const m = this.memories;
    this.clock.clear();
    this.rstctrl.record(cause);
    this.sleepMode = undefined;
    // CLKCTRL reads FUSE.OSCCFG first: its reset then sets the CPU clock (20 or 16 MHz / 6).
    this.clkctrl.configure(m.fuses[FUSE.OSCCFG]!, m.sigrow[SIGROW_OFFSET.osccal20m]!);
    for (const p of this.peripherals) p.reset();
    this.interrupts.setMask(ALL_VECTORS);
    this.wdt.resetFromFuse(m.fuses[FUSE.WDTCFG]!);
    this.nvmctrl.reset();
    this.cpu.reset();
    this.cpu.invalidateCode();
    if ((m.fuses[FUSE.SYSCFG0]! >> 6) !== 3) this.noteUnimplemented('boot-time CRC scan (FUSE.SYSCFG0.CRCSRC)');
    this.startupUntil = this.time + SUT_SECONDS[m.fuses[FUSE.SYSCFG1]! & 0x07]!;
    this.resets.push({ cause, t: this.time });
    this.trace({ type: 'reset', cause, t: this.time });
  }

  /**
   * The owner holds the CPU in reset (parks it: no firmware to run) or lets it go. The chip's UPDI holds it on its
   * own (ASI_RESET_REQ 0x59, programming modes); the CPU runs when neither holds it. Release performs a reset with
   * the memories as they are then (new code, new fuses).
   */
  setResetHeld(held: boolean): void {
    this.ownerHold = held;
    this.applyHold();
  }

  /** True while the CPU is held in reset, by the UPDI or by the owner. */
  get isResetHeld(): boolean {
    return this.resetHeld;
  }

  /** True while the chip's UPDI holds the CPU (reset request or a programming mode). */
  get isUpdiHolding(): boolean {
    return this.updiHold;
  }

  /** Where the UPDI's replies go: one byte after `idleBits` of idle line (guard time, IBDLY). */
  connectUpdi(transmit: (byte: number, idleBits: number) => void): void {
    this.updiTransmit = transmit;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  /** True while the reset start-up delay runs (checked by the CPU loop after events, e.g. a watchdog reset). */
  private readonly startingUp = (): boolean => this.clock.time < this.startupUntil || this.resetHeld;

  private setUpdiHold(held: boolean): void {
    this.updiHold = held;
    this.applyHold();
    this.options.onUpdiHold?.(held);
  }

  private applyHold(): void {
    const held = this.updiHold || this.ownerHold;
    if (held === this.resetHeld) return;
    this.resetHeld = held;
    this.reset('updi');
  }

  private trace(event: ChipTraceEvent): void {
    this.traceFn?.(event);
  }

  /** A reset requested from inside an instruction or event (WDT, SWRR): done as an event so the current
   * instruction finishes first. */
  private requestReset(cause: ResetCause): void {
    this.clock.schedule(this.time, () => this.reset(cause));
  }

  /** Lets time pass without executing instructions (held in reset, starting up, stopped). */
  private idleUntil(target: number): void {
    const clock = this.clock;
    while (clock.cycles < target) {
      const step = Math.min(target, Math.max(clock.nextEventCycle, clock.cycles));
      this.cpu.sleepCycles += step - clock.cycles;
      clock.cycles = step;
      if (clock.cycles >= clock.nextEventCycle) clock.runDue();
    }
  }

  private enterSleep(): SleepMode | undefined {
    const mode = this.slpctrl.requestedMode;
    if (!mode) return undefined;
    this.sleepMode = mode;
    let mask = 0;
    if (mode === 'idle') mask = ALL_VECTORS;
    else for (const p of this.wakeSources) mask |= p.wakeVectors!(mode);
    if (mode === 'standby') mask |= 1 << NVMCTRL_EE_VECTOR;
    for (const p of this.sleepAware) p.sleepChanged!(mode);
    this.interrupts.setMask(mask);
    if (this.traceFn) this.trace({ type: 'sleep', mode, t: this.time });
    return mode;
  }

  private wake(): void {
    this.sleepMode = undefined;
    this.interrupts.setMask(ALL_VECTORS);
    for (const p of this.sleepAware) p.sleepChanged!(undefined);
    if (this.traceFn) this.trace({ type: 'wake', t: this.time });
  }

  private noteUnimplemented(what: string): void {
    const n = this.unimplemented.get(what) ?? 0;
    this.unimplemented.set(what, n + 1);
    if (n === 0) this.trace({ type: 'unimplemented', what, t: this.time });
  }

  private noteCcpViolation(register: string): void {
    this.ccpViolations.set(register, (this.ccpViolations.get(register) ?? 0) + 1);
    this.trace({ type: 'ccp-violation', register, t: this.time });
  }

  private nvmEvent(e: NvmEvent): void {
    this.options.onNvmEvent?.(e);
    if (e.type === 'command') {
      this.trace({ type: 'nvm', command: e.command, ok: e.ok, address: e.address, reason: e.reason, t: this.time });
    } else {
      this.trace({ type: 'nvm', command: 'load', ok: false, address: e.address, reason: e.reason, t: this.time });
    }
  }

  /** The CPU halts while the NVM controller is busy before a command or a page-buffer load. */
  private waitForNvm(): void {
    const readyAt = this.nvmctrl.readyAt;
    if (readyAt <= this.time) return;
    const target = this.clock.cycleAt(readyAt);
    if (target > this.clock.cycles) this.clock.cycles = target;
  }

  private writeNvmctrl(offset: number, value: number): void {
    if (offset === NVMCTRL_REG.CTRLA) {
      if (!this.cpu.ccpOpen('spm')) return this.noteCcpViolation('NVMCTRL.CTRLA');
      this.waitForNvm();
    }
    this.nvmctrl.writeRegister(offset, value, 'cpu');
    this.updateEeReady();
  }

  /** NVMCTRL_EE (vector 29) follows INTCTRL.EEREADY and the EEPROM busy time; the event also marks the end of a
   * flash operation, so STATUS changes only at an event. */
  private updateEeReady(): void {
    this.interrupts.setRequest(NVMCTRL_EE_VECTOR, this.nvmctrl.interruptPending);
    const now = this.clock.cycles;
    let next = Infinity;
    for (const t of [this.nvmctrl.eepromReadyAt, this.nvmctrl.flashReadyAt]) {
      if (t < next && this.clock.cycleAt(t) > now) next = t;
    }
    if (next < Infinity) this.clock.rearm(this.eeReadyEvent, next);
    else this.clock.cancel(this.eeReadyEvent);
  }

  /** Whether a data-space read is stable (CpuBus.stable): asked of the register's owner. */
  private stableRead(addr: number): boolean {
    if (addr >= IO_END) return false;
    const p = this.ioOwner[addr];
    return p !== undefined && p.stableRead !== undefined && p.stableRead(addr - p.base);
  }

  private busRead(addr: number): number {
    if (addr < IO_END) {
      const p = this.ioOwner[addr];
      if (p) return p.read(addr - p.base);
      this.unmappedReads++;
      return 0;
    }
    if (addr < SRAM_START || addr >= NVM_ADDR.flash) {
      const before = this.nvmSpace.unmappedReads;
      const v = this.nvmSpace.read(addr);
      if (this.nvmSpace.unmappedReads !== before) this.unmappedReads++;
      return v;
    }
    this.unmappedReads++;
    return 0;
  }

  private busWrite(addr: number, value: number): void {
    if (addr < IO_END) {
      const p = this.ioOwner[addr];
      if (p) p.write(addr - p.base, value);
      else this.unmappedWrites++;
      return;
    }
    if (addr < SRAM_START || addr >= NVM_ADDR.flash) {
      const region = this.nvmSpace.regionAt(addr);
      if (region instanceof NvmWindowRegion) this.waitForNvm();
      const before = this.nvmSpace.unmappedWrites;
      this.nvmSpace.write(addr, value);
      if (this.nvmSpace.unmappedWrites !== before) this.unmappedWrites++;
      return;
    }
    this.unmappedWrites++;
  }
}
