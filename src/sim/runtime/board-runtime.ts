/**
 * The virtual board as one object: the emulated ATtiny824 running whatever its memories hold, the
 * board model around it (cell, shunt, dividers, switches, load, charger) and the UART line decoder.
 * No timers, ports or processes here: the caller moves time forward with {@link BoardRuntime.advance}
 * (the pacer maps it to the wall clock, tests call it directly) and hears about everything through
 * `onEvent` / `onUartByte`.
 *
 * Simulated time runs only while firmware runs. Held in reset by a UPDI programmer, or with an erased
 * flash (the reset vector reads 0xFFFF: "no firmware"), the board is parked and its clock stands
 * still, so a scenario starts when the firmware first starts and programming takes no simulated time.
 * Leaving programming mode restarts the CPU with the new code (a reset with cause `updi`).
 */
import { Attiny824 } from '../chip.js';
import type { ChipTraceEvent, PinState } from '../chip-types.js';
import { VirtualBoard, type BoardSnapshot } from '../board/board.js';
import type { NvmMemories } from '../nvm/memories.js';
import type { UpdiControl } from '../updi/target.js';
import type { Scenario } from '../scenario/types.js';
import { parseFrameBytes, type BmsState, type Frame } from '../../logging/frame.js';
import { flashErased } from './memories-setup.js';
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
  /** Keep every UART line in {@link BoardRuntime.lines} (default true; tests read them). */
  keepLines?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
/** Longer lines are cut (the firmware never prints one; this bounds memory on a runaway program). */
const MAX_LINE = 512;
/** Longest simulated step between two samples of the MCU power meter (s): the supply voltage is read once a step. */
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
  /** UPDI programming holds the CPU. */
  private updiHeld = false;
  private parkedReason: 'updi' | 'no-firmware' | 'running' = 'running';
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
    this.chip = new Attiny824({
      memories: options.memories,
      analog: board,
      onPinChange: (pin, state, t) => {
        if (pin === 'PA4' || pin === 'PA5') this.emit({ type: 'switch', pin, state, t, before: board.snapshot(t) });
        board.setPin(pin, state, t);
      },
      onUartByte: (byte, t) => {
        options.onUartByte?.(byte, t);
        this.uartByte(byte, t);
      },
      trace: (event) => this.emit({ type: 'chip', event }),
    });
    this.power = new McuPowerMeter(this.chip.cpu);
    this.updatePark();
  }

  /** Wire this to the UPDI target (`startSim({ control })`): programming holds the CPU in reset. */
  readonly control: UpdiControl = {
    setResetHeld: (held: boolean) => {
      this.updiHeld = held;
      this.updatePark();
    },
  };

  /** Simulated seconds since the board was powered (only time with firmware running counts). */
  get time(): number {
    return this.chip.time;
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
    const reason = this.updiHeld ? 'updi' : flashErased(this.memories) ? 'no-firmware' : 'running';
    const hold = reason !== 'running';
    this.chip.setResetHeld(hold);
    if (reason !== this.parkedReason) {
      this.parkedReason = reason;
      this.emit({ type: 'parked', parked: hold, reason, t: this.time });
    }
  }

  /**
   * Runs the chip and the board up to simulated time `t` (s), unless parked. Returns the time reached.
   * Callers keep slices short (a few simulated seconds at most) so the event loop stays responsive.
   */
  advance(t: number): number {
    if (this.parked || t <= this.time) return this.time;
    while (this.time < t) {
      this.chip.runUntil(Math.min(t, this.time + POWER_STEP_SECONDS));
      this.power.sample(this.board.vdd(this.time));
    }
    return this.time;
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
    const parsed = parseFrameBytes(this.lineBuf, 0, end);
    const line: UartLine = { t, text: Buffer.from(this.lineBuf.subarray(0, end)).toString('latin1') };
    if ('frame' in parsed) line.frame = parsed.frame;
    if (this.keepLines) this.lines.push(line);
    this.emit({ type: 'line', line });
    if (line.frame && line.frame.state !== this.state) {
      const from = this.state;
      this.state = line.frame.state;
      this.emit({ type: 'state', from, to: line.frame.state, t });
    }
  }
}
