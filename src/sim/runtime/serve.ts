/**
 * `startBoardSim`: the whole virtual board served on two pseudo-terminals — UPDI (programmers) and
 * the USART0 TX line (loggers) — with the emulator paced against the wall clock. The library behind
 * `ltobms sim`, `ltobms demo` and the end-to-end tests; it never prints, it reports through `onEvent`.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LtobmsError } from '../../errors.js';
import { NvmMemories } from '../nvm/memories.js';
import type { Scenario } from '../scenario/types.js';
import { startSim, type SimEvent, type SimHandle, type SimOptions } from '../updi/serve.js';
import { SocatPty } from '../../serial/pty.js';
import { BoardRuntime, type RuntimeEvent } from './board-runtime.js';
import { preloadFirmware, preloadFuses, scenarioEepromBytes, type PreloadResult } from './memories-setup.js';
import { paceRuntime, type PaceResult, type SimSpeed } from './pacer.js';

/** How long the UART pty stays open after its last bytes, so a reader gets them all (ms). */
const UART_LINGER_MS = 500;

export interface BoardSimOptions extends Omit<SimOptions, 'memories' | 'control' | 'onEvent'> {
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
  readonly updiPath: string;
  readonly uartPath: string;
  readonly runtime: BoardRuntime;
  readonly updi: SimHandle;
  readonly preload: PreloadResult | undefined;
  /** Starts the pacing loop; resolves when the scenario ends or the signal fires. */
  run(signal?: AbortSignal): Promise<PaceResult>;
  /** Resolves with the error if one of the socat processes dies on its own. */
  readonly failed: Promise<LtobmsError>;
  /** Flushes the UART, saves the state, stops both ptys. */
  close(): Promise<void>;
}

export async function startBoardSim(options: BoardSimOptions): Promise<BoardSimHandle> {
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
  // startSim loads the state file again; make it hold what we just put in.
  if (statePath && (preload || eeprom)) memories.save(statePath);

  let pending: number[] = [];
  const runtime = new BoardRuntime({
    scenario: options.scenario,
    memories,
    keepLines: false,
    onUartByte: (byte) => pending.push(byte),
    onEvent: options.onRuntimeEvent,
  });
  const uart = await SocatPty.open({ link: options.uartLink, onData: () => {} });
  let updi: SimHandle;
  try {
    updi = await startSim({ ...options, memories, control: runtime.control, onEvent: options.onSimEvent });
  } catch (err) {
    await uart.close();
    throw err;
  }
  let lastWrite = 0;
  const flush = () => {
    if (pending.length === 0) return;
    uart.write(Uint8Array.from(pending));
    pending = [];
    lastWrite = performance.now();
  };
  let reportFailure: (error: LtobmsError) => void = () => {};
  const failed = new Promise<LtobmsError>((resolve) => (reportFailure = resolve));
  void updi.failed.then((e) => reportFailure(e));

  let closed: Promise<void> | undefined;
  return {
    updiPath: updi.portPath,
    uartPath: uart.link ?? uart.path,
    runtime,
    updi,
    preload,
    failed,
    run: (signal) =>
      paceRuntime(runtime, { speed: options.speed, endAt: options.scenario.durationSeconds, signal, afterSlice: flush }),
    close() {
      closed ??= (async () => {
        flush();
        // socat is stopped with SIGTERM; give it time to pass the last bytes on to the reader.
        const linger = UART_LINGER_MS - (performance.now() - lastWrite);
        if (lastWrite > 0 && linger > 0) await sleep(linger);
        try {
          await updi.close();
        } finally {
          await uart.close();
        }
      })();
      return closed;
    },
  };
}
