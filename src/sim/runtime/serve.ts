/**
 * `startBoardSim`: the virtual board, paced against the wall clock, with two wires — UPDI
 * (programmers) and the USART0 TX line (loggers). The library behind `ltobms sim`, `ltobms demo`,
 * `ltobms run --sim` and the end-to-end tests; it never prints, it reports through events.
 *
 * The wires are pseudo-terminals for programs outside this process (`wiring: 'pty'`, socat; what
 * `ltobms sim` serves to avrdude or another ltobms), or in-process pipe pairs (`wiring: 'pipe'`: no
 * socat, no child process) whose host ends the programmer and the log tail take as their stream.
 *
 * One board, one chip: the chip owns its UPDI target and its NVM controller (on the chip's clock);
 * the UPDI wire feeds the chip's UPDI through the wire model (updi/link.ts). The memories are kept in
 * a state file: loaded once at start (created at once if missing, so it exists from the start), and
 * saved when a programming session that changed them ends and on close.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LtobmsError } from '../../errors.js';
import { createPipePair, type PipeDeviceEnd, type PipeHostEnd } from '../../serial/pipe.js';
import { SocatPty } from '../../serial/pty.js';
import { restorePtyTermiosInBackground, savePtyTermios } from '../../serial/termios.js';
import { adapterWire, type AdapterProfile } from '../wire/adapters.js';
import type { DeviceEnd } from '../../serial/stream.js';
import { NvmMemories } from '../nvm/memories.js';
import type { NvmTimings } from '../nvm/nvmctrl.js';
import type { Scenario } from '../scenario/types.js';
import { UpdiLink } from '../updi/link.js';
import type { UpdiEvent } from '../updi/target.js';
import type { WireClock } from '../wire/clock.js';
import type { FaultConfig } from '../wire/faults.js';
import { BoardRuntime, type RuntimeEvent } from './board-runtime.js';
import { preloadFirmware, preloadFuses, scenarioEepromBytes, type PreloadResult } from './memories-setup.js';
import { paceRuntime, type PaceResult, type SimSpeed } from './pacer.js';

/** How long the UART pty stays open after its last bytes, so a reader gets them all (ms). */
const UART_LINGER_MS = 500;

/** Pseudo-terminals for programs outside this process, or in-process pipe pairs. */
export type BoardWiring = 'pty' | 'pipe';

/** A wire on a pseudo-terminal: outside programs open `name`. */
export interface PtyWire {
  readonly kind: 'pty';
  /** The path to hand to a program: the link if one was made, else the pty. */
  readonly name: string;
  /** The pty device itself. */
  readonly ptyPath: string;
}

/** A wire on in-process pipe pairs: `connect()` plugs in a new adapter and returns its host end. */
export interface PipeWire {
  readonly kind: 'pipe';
  /** For messages. */
  readonly name: string;
  /** A new host end on this wire; the one plugged in before is disconnected (it hears nothing more). */
  connect(): PipeHostEnd;
}

/** The UPDI side: state file, serial number, wire model. */
export interface SimOptions {
  /** State file: loaded at start if it exists, saved after programming sessions and on close. */
  statePath?: string;
  /** Overrides the serial number (unique ID) in the signature row. */
  serialNumber?: Uint8Array;
  /** Wire pacing baud rate; 0 = off. */
  baud: number;
  /** USB adapter latency in milliseconds; 0 = off. */
  latencyMs: number;
  /** The adapter's USB packet size and write turnaround (its latency is `latencyMs`); default: 62-byte packets, no turnaround. */
  adapter?: AdapterProfile;
  faults?: FaultConfig;
  /** Stable symlink to the UPDI pty (pty wiring). */
  link?: string;
  /** The wire's clock (default: the wall clock). */
  clock?: WireClock;
  nvmTimings?: Partial<NvmTimings>;
}

export type SaveReason = 'created' | 'session-end' | 'close';

export type SimEvent =
  | { type: 'updi'; event: UpdiEvent }
  | { type: 'saved'; path: string; reason: SaveReason }
  | { type: 'save-failed'; path: string; error: LtobmsError }
  | { type: 'pty-exited'; error: LtobmsError };

export interface BoardSimOptions extends SimOptions {
  /** Default 'pty'. */
  wiring?: BoardWiring;
  scenario: Scenario;
  speed: SimSpeed;
  /** Firmware image (.hex or .elf) to put into flash before the start; the project fuses come with it. */
  firmware?: string;
  /** Also load the image's EEPROM section. */
  firmwareEeprom?: boolean;
  /** Symlink for the UART pty (pty wiring). */
  uartLink?: string;
  onSimEvent?: (event: SimEvent) => void;
  onRuntimeEvent?: (event: RuntimeEvent) => void;
  /** Include the chip's trace events in onRuntimeEvent (`--trace`; see BoardRuntimeOptions.chipTrace). */
  chipTrace?: boolean;
}

export interface BoardSimHandle<Wire extends PtyWire | PipeWire = PtyWire | PipeWire> {
  /** Where programmers connect. */
  readonly updi: Wire;
  /** Where the firmware's log comes out. */
  readonly uart: Wire;
  readonly runtime: BoardRuntime;
  readonly memories: NvmMemories;
  /** The wire model between the UPDI wire and the chip's UPDI. */
  readonly link: UpdiLink;
  readonly preload: PreloadResult | undefined;
  /** Starts the pacing loop; resolves when the scenario ends or the signal fires. */
  run(signal?: AbortSignal): Promise<PaceResult>;
  /** Resolves with the error if a socat process dies on its own (never, with pipes). */
  readonly failed: Promise<LtobmsError>;
  /** Saves the state file now (no-op without one). */
  save(reason?: SaveReason): void;
  /** Passes on the last UART bytes, saves the state, takes the wires down. */
  close(): Promise<void>;
}

/** The two wires as the serve loop drives them, whatever they are made of. */
interface Wires<Wire> {
  readonly updi: Wire;
  readonly uart: Wire;
  /** Where the chip's UPDI replies and UART bytes go now (a pipe's change with every connect). */
  updiDevice(): DeviceEnd | undefined;
  uartDevice(): DeviceEnd | undefined;
  /** How long the UART must stay up after its last bytes for a reader to get them (ms). */
  readonly lingerMs: number;
  close(): Promise<void>;
}

/** What comes in on the UPDI wire. */
interface ToChip {
  data(bytes: Uint8Array): void;
  lineBreak(): void;
}

async function ptyWires(options: BoardSimOptions, toChip: ToChip, onExit: (error: LtobmsError) => void): Promise<Wires<PtyWire>> {
  const uart = await SocatPty.open({ link: options.uartLink });
  const termios = new TermiosKeeper();
  let updi: SocatPty;
  try {
    updi = await SocatPty.open({
      link: options.link,
      onData: (bytes) => {
        termios.traffic();
        toChip.data(bytes);
      },
      onUnexpectedExit: onExit,
    });
  } catch (err) {
    await uart.close();
    throw err;
  }
  termios.keep(updi.path);
  return {
    updi: { kind: 'pty', name: updi.portPath, ptyPath: updi.path },
    uart: { kind: 'pty', name: uart.portPath, ptyPath: uart.path },
    updiDevice: () => updi,
    uartDevice: () => uart,
    lingerMs: UART_LINGER_MS,
    async close() {
      termios.stop();
      try {
        await updi.close();
      } finally {
        await uart.close();
      }
    },
  };
}

function pipeWires(toChip: ToChip): Wires<PipeWire> {
  let updiDevice: PipeDeviceEnd | undefined;
  let uartDevice: PipeDeviceEnd | undefined;
  const updiName = 'in-process pipe';
  const uartName = 'in-process pipe';
  return {
    updi: {
      kind: 'pipe',
      name: updiName,
      connect() {
        // The wire model makes the echo; a BREAK arrives as the condition it is, not as a 0x00.
        const { host, device } = createPipePair({ echo: false, name: updiName, breakAs: 'signal' });
        updiDevice = device;
        device.onData((bytes) => {
          if (updiDevice === device) toChip.data(bytes);
        });
        device.onBreak(() => {
          if (updiDevice === device) toChip.lineBreak();
        });
        return host;
      },
    },
    uart: {
      kind: 'pipe',
      name: uartName,
      connect() {
        const { host, device } = createPipePair({ echo: false, name: uartName });
        uartDevice = device;
        return host;
      },
    },
    updiDevice: () => updiDevice,
    uartDevice: () => uartDevice,
    lingerMs: 0,
    async close() {
      updiDevice?.hangUp('the virtual board stopped');
      uartDevice?.hangUp('the virtual board stopped');
    },
  };
}

/** The memories as the board starts: the state file (once), the serial, a firmware preload, the scenario's EEPROM. */
async function startingMemories(options: BoardSimOptions): Promise<{ memories: NvmMemories; preload?: PreloadResult; changed: boolean }> {
  const memories = new NvmMemories();
  const statePath = options.statePath;
  if (statePath && existsSync(statePath)) memories.load(statePath);
  if (options.serialNumber) memories.setSerialNumber(options.serialNumber);
  let preload: PreloadResult | undefined;
  if (options.firmware) {
    preload = await preloadFirmware(memories, options.firmware, options.firmwareEeprom);
    await preloadFuses(memories);
  }
  const eeprom = scenarioEepromBytes(options.scenario);
  if (eeprom) memories.eeprom.set(eeprom);
  return { memories, preload, changed: Boolean(options.serialNumber || preload || eeprom) };
}

export function startBoardSim(options: BoardSimOptions & { wiring: 'pipe' }): Promise<BoardSimHandle<PipeWire>>;
export function startBoardSim(options: BoardSimOptions & { wiring?: 'pty' }): Promise<BoardSimHandle<PtyWire>>;
export async function startBoardSim(options: BoardSimOptions): Promise<BoardSimHandle> {
  const { memories, preload, changed } = await startingMemories(options);
  const statePath = options.statePath;
  const emit = (event: SimEvent) => options.onSimEvent?.(event);
  let dirty = changed;
  const save = (reason: SaveReason = 'close') => {
    if (!statePath) return;
    try {
      memories.save(statePath);
      dirty = false;
      emit({ type: 'saved', path: statePath, reason });
    } catch (err) {
      emit({ type: 'save-failed', path: statePath, error: err as LtobmsError });
    }
  };
  if (statePath && !existsSync(statePath)) save('created');

  let pending: number[] = [];
  const runtime = new BoardRuntime({
    scenario: options.scenario,
    memories,
    keepLines: false,
    onUartByte: (byte) => pending.push(byte),
    onEvent: options.onRuntimeEvent,
    chipTrace: options.chipTrace,
    chip: {
      nvmTimings: options.nvmTimings,
      onNvmChange: () => (dirty = true),
      onUpdiEvent: (event) => {
        emit({ type: 'updi', event });
        if (event.type === 'disabled' && (dirty || event.programmed)) save('session-end');
      },
    },
  });

  let wires: Wires<PtyWire | PipeWire> | undefined;
  const link = new UpdiLink(runtime.chip, {
    toHost: (bytes) => wires?.updiDevice()?.write(bytes),
    clock: options.clock,
    baud: options.baud,
    // The profile's packets and turnaround; its latency is in latencyMs (which --latency-ms may override).
    ...(options.adapter ? adapterWire(options.adapter) : {}),
    latencySeconds: options.latencyMs / 1000,
    faults: options.faults,
  });
  const toChip: ToChip = { data: (bytes) => link.hostWrite(bytes), lineBreak: () => link.hostBreak() };
  let reportFailure: (error: LtobmsError) => void = () => {};
  const failed = new Promise<LtobmsError>((resolve) => (reportFailure = resolve));
  try {
    wires =
      options.wiring === 'pipe'
        ? pipeWires(toChip)
        : await ptyWires(options, toChip, (error) => {
            emit({ type: 'pty-exited', error });
            reportFailure(error);
          });
  } catch (err) {
    link.close();
    throw err;
  }
  const open = wires;

  let lastWrite = 0;
  const flush = () => {
    if (pending.length === 0) return;
    open.uartDevice()?.write(Uint8Array.from(pending));
    pending = [];
    lastWrite = performance.now();
  };

  let closed: Promise<void> | undefined;
  return {
    updi: open.updi,
    uart: open.uart,
    runtime,
    memories,
    link,
    preload,
    failed,
    save,
    run: (signal) =>
      paceRuntime(runtime, { speed: options.speed, endAt: options.scenario.durationSeconds, signal, afterSlice: flush }),
    close() {
      closed ??= (async () => {
        flush();
        // socat is stopped with SIGTERM; give it time to pass the last bytes on to the reader.
        const linger = open.lingerMs - (performance.now() - lastWrite);
        if (lastWrite > 0 && linger > 0) await sleep(linger);
        link.close();
        save('close');
        await open.close();
      })();
      return closed;
    },
  };
}

/** Quiet time after a client's last byte before its terminal settings are put back. */
const TERMIOS_RESET_IDLE_MS = 1000;

/**
 * Puts the UPDI pty's terminal settings back as they were at start once a client has gone quiet,
 * as a real adapter's driver sets its port up afresh on every open: a client that died at 8N2
 * with CLOCAL (a killed programmer does not restore) would otherwise make the next one's
 * tcsetattr fail with EINVAL (avrdude: "cannot set attributes for port"). A pty carries bytes
 * only, so settings changed under a client that is still connected change nothing for it.
 */
class TermiosKeeper {
  private path: string | undefined;
  private saved: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  keep(path: string): void {
    this.path = path;
    this.saved = savePtyTermios(path);
  }

  traffic(): void {
    if (!this.saved) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.restore(), TERMIOS_RESET_IDLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.saved = undefined;
  }

  private restore(): void {
    // In the background: the sim keeps serving (a client may still be there, only slow).
    if (this.path && this.saved) restorePtyTermiosInBackground(this.path, this.saved);
  }
}
