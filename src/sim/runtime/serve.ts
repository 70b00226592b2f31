/**
 * `startBoardSim`: the virtual board served on two pseudo-terminals — UPDI (programmers) and the
 * USART0 TX line (loggers) — with the emulator paced against the wall clock. The library behind
 * `ltobms sim`, `ltobms demo` and the end-to-end tests; it never prints, it reports through events.
 *
 * One board, one chip: the chip owns its UPDI target and its NVM controller (on the chip's clock);
 * the UPDI pty feeds the chip's UPDI through the wire model (updi/link.ts). The memories are kept in
 * a state file: loaded once at start (created at once if missing, so it exists from the start), and
 * saved when a programming session that changed them ends and on close.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LtobmsError } from '../../errors.js';
import { SocatPty } from '../../serial/pty.js';
import { restorePtyTermios, savePtyTermios } from '../../serial/termios.js';
import { adapterWire, type AdapterProfile } from '../wire/adapters.js';
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
  /** Stable symlink to the UPDI pty. */
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
  scenario: Scenario;
  speed: SimSpeed;
  /** Firmware image (.hex or .elf) to put into flash before the start; the project fuses come with it. */
  firmware?: string;
  /** Also load the image's EEPROM section. */
  firmwareEeprom?: boolean;
  /** Symlink for the UART pty. */
  uartLink?: string;
  onSimEvent?: (event: SimEvent) => void;
  onRuntimeEvent?: (event: RuntimeEvent) => void;
}

export interface BoardSimHandle {
  /** The path to hand to a programmer: the link if one was made, else the pty. */
  readonly updiPath: string;
  /** The UPDI pty device itself. */
  readonly updiPtyPath: string;
  readonly uartPath: string;
  readonly runtime: BoardRuntime;
  readonly memories: NvmMemories;
  /** The wire between the UPDI pty and the chip's UPDI. */
  readonly link: UpdiLink;
  readonly preload: PreloadResult | undefined;
  /** Starts the pacing loop; resolves when the scenario ends or the signal fires. */
  run(signal?: AbortSignal): Promise<PaceResult>;
  /** Resolves with the error if one of the socat processes dies on its own. */
  readonly failed: Promise<LtobmsError>;
  /** Saves the state file now (no-op without one). */
  save(reason?: SaveReason): void;
  /** Flushes the UART, saves the state, stops both ptys. */
  close(): Promise<void>;
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
    chip: {
      nvmTimings: options.nvmTimings,
      onNvmChange: () => (dirty = true),
      onUpdiEvent: (event) => {
        emit({ type: 'updi', event });
        if (event.type === 'disabled' && (dirty || event.programmed)) save('session-end');
      },
    },
  });

  let updiPty: SocatPty | undefined;
  const termios = new TermiosKeeper();
  const link = new UpdiLink(runtime.chip, {
    toHost: (bytes) => updiPty?.write(bytes),
    clock: options.clock,
    baud: options.baud,
    // The profile's packets and turnaround; its latency is in latencyMs (which --latency-ms may override).
    ...(options.adapter ? adapterWire(options.adapter) : {}),
    latencySeconds: options.latencyMs / 1000,
    faults: options.faults,
  });
  let reportFailure: (error: LtobmsError) => void = () => {};
  const failed = new Promise<LtobmsError>((resolve) => (reportFailure = resolve));
  const uart = await SocatPty.open({ link: options.uartLink, onData: () => {} });
  try {
    updiPty = await SocatPty.open({
      link: options.link,
      onData: (bytes) => {
        termios.traffic();
        link.hostWrite(bytes);
      },
      onUnexpectedExit: (error) => {
        emit({ type: 'pty-exited', error });
        reportFailure(error);
      },
    });
  } catch (err) {
    link.close();
    await uart.close();
    throw err;
  }
  const openUpdi = updiPty;
  termios.keep(openUpdi.path);

  let lastWrite = 0;
  const flush = () => {
    if (pending.length === 0) return;
    uart.write(Uint8Array.from(pending));
    pending = [];
    lastWrite = performance.now();
  };

  let closed: Promise<void> | undefined;
  return {
    updiPath: openUpdi.link ?? openUpdi.path,
    updiPtyPath: openUpdi.path,
    uartPath: uart.link ?? uart.path,
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
        const linger = UART_LINGER_MS - (performance.now() - lastWrite);
        if (lastWrite > 0 && linger > 0) await sleep(linger);
        termios.stop();
        link.close();
        save('close');
        try {
          await openUpdi.close();
        } finally {
          await uart.close();
        }
      })();
      return closed;
    },
  };
}

/** Quiet time after a client's last byte before its terminal settings are put back. */
const TERMIOS_RESET_IDLE_MS = 250;

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
    if (this.path && this.saved) restorePtyTermios(this.path, this.saved);
  }
}
