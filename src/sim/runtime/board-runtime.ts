/**
 * The virtual board as one object: the emulated ATtiny824 running whatever its memories hold, the
 * board model around it (cell, shunt, dividers, switches, load, charger) and the UART line decoder.
 * No timers, ports or processes here: the caller moves time forward with {@link BoardRuntime.advance}
 * (the pacer maps it to the wall clock, tests call it directly) and hears about everything through
 * `onEvent` / `onUartByte`.
 *
 * Simulated time runs only while firmware runs. Held in reset by a UPDI programmer, or with an erased
 * flash (the reset vector reads 0xFFFF: "no firmware"), the board is parked and its time stands
 * still, so a scenario starts when the firmware first starts and programming takes no simulated time.
 * Leaving programming mode restarts the CPU with the new code (a reset with cause `updi`).
 *
 * The chip's own clock does move while parked — its NVM controller and UPDI need time to pass for a
 * programmer's page writes to finish (the UPDI link moves it) — so the board's time is the chip's
 * time less the time spent parked, and every time the board and the scenario see is converted.
 */
import { Attiny824, type Attiny824Options } from '../chip.js';
import type { ChipTraceEvent, PinState } from '../chip-types.js';
import { VirtualBoard, type BoardSnapshot } from '../board/board.js';
import type { NvmMemories } from '../nvm/memories.js';
import type { Scenario } from '../scenario/types.js';
import { lastFrameStart, parseFrameBytes, type BmsState, type Frame } from '../../logging/frame.js';
import { flashErased } from './memories-setup.js';
import { EnergyRecorder, type EnergyReport } from './energy.js';
import { McuPowerMeter } from './mcu-power.js';

/** One complete UART line the firmware printed. */
export interface UartLine {
  /** Simulated time of the line's last byte (s). */
  t: number;
  text: string;
  /** The parsed frame, when the line is one. */
  frame?: Frame;
}

export type RuntimeEvent =
  | { type: 'chip'; event: ChipTraceEvent }
  | { type: 'line'; line: UartLine }
  | { type: 'state'; from: BmsState | undefined; to: BmsState; t: number }
  /** An output switch pin (PA4 main, PA5 3.3 V) changed; `before` is the board just before it acts. */
  | { type: 'switch'; pin: 'PA4' | 'PA5'; state: PinState; t: number; before: BoardSnapshot }
  | { type: 'parked'; parked: boolean; reason: 'updi' | 'no-firmware' | 'running'; t: number };

export interface BoardRuntimeOptions {
  scenario: Scenario;
  memories: NvmMemories;
  /** Every byte USART0 sends, at the simulated time of its stop bit. */
  onUartByte?: (byte: number, t: number) => void;
  onEvent?: (event: RuntimeEvent) => void;
  /**
   * Also send the chip's trace events (sleep, wake, clock, reset, …) to `onEvent` (default false):
   * the chip builds an object for each, several a second, which a month at --speed max feels.
   */
  chipTrace?: boolean;
  /** Keep every UART line in {@link BoardRuntime.lines} (default true; tests read them). */
  keepLines?: boolean;
  /** The chip's NVM and UPDI hooks (the state file's dirty flag, UPDI events for the CLI). */
  chip?: Pick<Attiny824Options, 'nvmTimings' | 'onNvmChange' | 'onNvmEvent' | 'onUpdiEvent' | 'breakIdleSeconds'>;
}

const LF = 0x0a;
const CR = 0x0d;
/** Longer lines are cut (the firmware never prints one; this bounds memory on a runaway program). */
const MAX_LINE = 512;
/** Longest simulated step between two looks at the cell voltage (s): the MCU power meter charges each step at it,
 * and the energy report keeps its extremes. */
const POWER_STEP_SECONDS = 1;

export class BoardRuntime {
  readonly chip: Attiny824;
  readonly board: VirtualBoard;
  readonly scenario: Scenario;
  readonly memories: NvmMemories;
  /** Complete UART lines so far (if kept). */
  readonly lines: UartLine[] = [];
  /** The firmware's state from its last frame. */
  state: BmsState | undefined;
  /** The MCU's own supply current: time per state (active, idle, standby…) at the cell's voltage. */
  readonly power: McuPowerMeter;
  /** What the energy report needs: cell voltage extremes, firmware states from the frames. */
  private readonly energy = new EnergyRecorder();
  private parkedReason: 'updi' | 'no-firmware' | 'running' = 'running';
  /** Chip time spent parked before the current park, and the chip time the current park began. */
  private parkedSeconds = 0;
  private parkedAt = 0;
  private readonly lineBuf = new Uint8Array(MAX_LINE);
  private lineLen = 0;
  private readonly emit: (event: RuntimeEvent) => void;
  private readonly keepLines: boolean;

  constructor(options: BoardRuntimeOptions) {
    this.scenario = options.scenario;
    this.memories = options.memories;
    this.emit = options.onEvent ?? (() => {});
    this.keepLines = options.keepLines ?? true;
    this.board = new VirtualBoard(options.scenario.board);
    const board = this.board;
    const boardTime = (chipTime: number) => this.boardTime(chipTime);
    this.chip = new Attiny824({
      ...options.chip,
      memories: options.memories,
      analog: {
        pinVoltage: (pin, t) => board.pinVoltage(pin, boardTime(t)),
        temperatureK: (t) => board.temperatureK(boardTime(t)),
        vdd: (t) => board.vdd(boardTime(t)),
        steadyBetween: (t1, t2) => board.steadyBetween(boardTime(t1), boardTime(t2)),
        adcErrors: board.adcErrors,
      },
      onPinChange: (pin, state, chipTime) => {
        const t = boardTime(chipTime);
        if (pin !== 'PA4' && pin !== 'PA5') return board.setPin(pin, state, t);
        const before = board.snapshot(t);
        this.energy.cell(t, before.batteryVolts);
        this.emit({ type: 'switch', pin, state, t, before });
        board.setPin(pin, state, t);
        this.energy.cell(t, board.vdd(t));
      },
      onUartByte: (byte, chipTime) => {
        const t = boardTime(chipTime);
        options.onUartByte?.(byte, t);
        this.uartByte(byte, t);
      },
      // Without a listener the chip builds no trace events at all (it wakes and sleeps several times a second).
      trace: options.onEvent && options.chipTrace === true ? (event) => this.emit({ type: 'chip', event: this.parkedSeconds === 0 && !this.parked ? event : { ...event, t: boardTime(event.t) } }) : undefined,
      onUpdiHold: () => this.updatePark(),
    });
    this.power = new McuPowerMeter(this.chip.cpu);
    const start = board.snapshot(0);
    this.energy.cell(0, start.batteryVolts, start.soc);
    this.updatePark();
  }

  /** Simulated seconds since the board was powered (only time with firmware running counts). */
  get time(): number {
    return this.boardTime(this.chip.time);
  }

  /** True while the CPU is parked (held by UPDI or no firmware): time does not move. */
  get parked(): boolean {
    return this.parkedReason !== 'running';
  }

  /** The board model's truth now. */
  snapshot(): BoardSnapshot {
    return this.board.snapshot(this.time);
  }

  /** Frames seen so far (needs keepLines). */
  get frames(): Frame[] {
    return this.lines.flatMap((l) => (l.frame ? [l.frame] : []));
  }

  /** Re-checks whether the CPU may run (call after changing the memories from outside, e.g. a preload). */
  updatePark(): void {
    const reason = this.chip.isUpdiHolding ? 'updi' : flashErased(this.memories) ? 'no-firmware' : 'running';
    const wasParked = this.parked;
    const parked = reason !== 'running';
    // Book the park before the chip's reset on release, so everything it reports gets board time.
    if (parked && !wasParked) this.parkedAt = this.chip.time;
    if (!parked && wasParked) {
      this.parkedSeconds += this.chip.time - this.parkedAt;
      this.power.skip();
    }
    if (reason !== this.parkedReason) {
      this.parkedReason = reason;
      this.emit({ type: 'parked', parked, reason, t: this.time });
    }
    this.chip.setResetHeld(reason === 'no-firmware');
  }

  /**
   * Runs the chip and the board up to simulated time `t` (s), unless parked. Returns the time reached.
   * Callers keep slices short (a few simulated seconds at most) so the event loop stays responsive.
   */
  advance(t: number): number {
    if (this.parked || t <= this.time) return this.time;
    // Compared on the chip's clock: runUntil reaches its target there, while board time (chip time less the
    // parked seconds) may round to just below `t` and never get there.
    const end = t + this.parkedSeconds;
    while (this.chip.time < end) {
      this.chip.runUntil(Math.min(end, this.chip.time + POWER_STEP_SECONDS));
      const vdd = this.board.vdd(this.time);
      this.power.sample(vdd);
      this.energy.cell(this.time, vdd);
    }
    return this.time;
  }

  /** The board's time at a chip time: the chip's clock less the time spent parked (frozen while parked). */
  private boardTime(chipTime: number): number {
    return (this.parked ? Math.min(chipTime, this.parkedAt) : chipTime) - this.parkedSeconds;
  }

  /** The energy report so far (`ltobms sim --report`, `ltobms demo --days`). */
  energyReport(): EnergyReport {
    return this.energy.report({ scenario: this.scenario.name, chemistry: this.scenario.chemistry, t: this.time, board: this.snapshot(), mcu: this.power.totals });
  }

  private uartByte(byte: number, t: number): void {
    if (byte === LF) {
      let end = this.lineLen;
      if (end > 0 && this.lineBuf[end - 1] === CR) end--;
      this.lineLen = 0;
      this.line(end, t);
      return;
    }
    if (this.lineLen < MAX_LINE) this.lineBuf[this.lineLen++] = byte;
  }

  private line(end: number, t: number): void {
    // A reset mid-line leaves the rest of the old line (or a glitch byte) before the new frame: the
    // frame is read where it starts, as the log tail reads it, so the runtime reports it too.
    const later = lastFrameStart(this.lineBuf, 0, end);
    let start = later > 0 ? later : 0;
    while (later < 0 && start < end && this.lineBuf[start]! < 0x20) start++;
    const parsed = parseFrameBytes(this.lineBuf, start, end);
    const line: UartLine = { t, text: Buffer.from(this.lineBuf.subarray(0, end)).toString('latin1') };
    if ('frame' in parsed) line.frame = parsed.frame;
    if (this.keepLines) this.lines.push(line);
    if (line.frame) this.energy.frame(t, line.frame.state);
    this.emit({ type: 'line', line });
    if (line.frame && line.frame.state !== this.state) {
      const from = this.state;
      this.state = line.frame.state;
      this.emit({ type: 'state', from, to: line.frame.state, t });
    }
  }
}
