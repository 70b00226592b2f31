/**
 * `startSim`: the virtual target served on a pseudo-terminal, with its memories kept in a state
 * file. This is the library behind `ltobms sim`; it never prints — it reports through `onEvent`.
 *
 * The state file is loaded at start (if it exists), saved when a programming session ends (the
 * programmer sets UPDIDIS), one second after the last NVM change (so another program can inspect
 * it mid-session), and on close.
 */
import { existsSync } from 'node:fs';
import type { LtobmsError } from '../../errors.js';
import { NvmMemories } from '../nvm/memories.js';
import type { NvmTimings } from '../nvm/nvmctrl.js';
import { realClock, type WireClock } from '../wire/clock.js';
import type { FaultConfig } from '../wire/faults.js';
import { SocatPty } from '../../serial/pty.js';
import { createUpdiSimulator, type UpdiSimulator } from './simulator.js';
import type { UpdiControl, UpdiEvent } from './target.js';

export interface SimOptions {
  /** State file: loaded at start if it exists, saved after sessions and on close. */
  statePath?: string;
  /** Overrides the serial number (unique ID) in the signature row. */
  serialNumber?: Uint8Array;
  /** Wire pacing baud rate; 0 = off. */
  baud: number;
  /** USB adapter latency in milliseconds; 0 = off. */
  latencyMs: number;
  faults?: FaultConfig;
  /** Stable symlink to the pty. */
  link?: string;
  /** Memories to serve (e.g. shared with a CPU model); default: new, or loaded from the state. */
  memories?: NvmMemories;
  /** Told when the UPDI holds or releases the CPU. */
  control?: UpdiControl;
  onEvent?: (event: SimEvent) => void;
  clock?: WireClock;
  nvmTimings?: Partial<NvmTimings>;
  /** Delay between the last NVM change and the automatic save, in ms (default 1000). */
  saveDelayMs?: number;
}

export type SimEvent =
  | { type: 'updi'; event: UpdiEvent }
  | { type: 'saved'; path: string; reason: 'session-end' | 'idle' | 'close' }
  | { type: 'save-failed'; path: string; error: LtobmsError }
  | { type: 'pty-exited'; error: LtobmsError };

export interface SimHandle {
  /** The pty slave device. */
  readonly ptyPath: string;
  /** The path to hand to a programmer: the link if one was made, else the pty. */
  readonly portPath: string;
  readonly simulator: UpdiSimulator;
  readonly memories: NvmMemories;
  /** Resolves with the error if socat dies on its own. */
  readonly failed: Promise<LtobmsError>;
  /** Saves the state file now (no-op without one). */
  save(reason?: 'session-end' | 'idle' | 'close'): void;
  /** Saves the state, stops the wire and socat. */
  close(): Promise<void>;
}

export async function startSim(options: SimOptions): Promise<SimHandle> {
  const memories = options.memories ?? new NvmMemories();
  const statePath = options.statePath;
  if (statePath && existsSync(statePath)) memories.load(statePath);
  if (options.serialNumber) memories.setSerialNumber(options.serialNumber);

  const emit = (event: SimEvent) => options.onEvent?.(event);
  let dirty = false;
  let saveTimer: NodeJS.Timeout | undefined;
  const save = (reason: 'session-end' | 'idle' | 'close' = 'close') => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!statePath) return;
    try {
      memories.save(statePath);
      dirty = false;
      emit({ type: 'saved', path: statePath, reason });
    } catch (err) {
      emit({ type: 'save-failed', path: statePath, error: err as LtobmsError });
    }
  };
  // A new state file (or a changed serial) is written at once, so it exists from the start.
  if (statePath && (!existsSync(statePath) || options.serialNumber)) save('idle');

  let pty: SocatPty | undefined;
  const simulator = createUpdiSimulator({
    toHost: (bytes) => pty?.write(bytes),
    memories,
    clock: options.clock ?? realClock,
    baud: options.baud,
    latencySeconds: options.latencyMs / 1000,
    faults: options.faults,
    control: options.control,
    nvmTimings: options.nvmTimings,
    onNvmChange: () => {
      dirty = true;
      if (statePath && !saveTimer) saveTimer = setTimeout(() => save('idle'), options.saveDelayMs ?? 1000);
    },
    onUpdiEvent: (event) => {
      emit({ type: 'updi', event });
      if (event.type === 'disabled' && (dirty || event.programmed)) save('session-end');
    },
  });

  let reportFailure: (error: LtobmsError) => void = () => {};
  const failed = new Promise<LtobmsError>((resolve) => (reportFailure = resolve));
  try {
    pty = await SocatPty.open({
      link: options.link,
      onData: (bytes) => simulator.hostWrite(bytes),
      onUnexpectedExit: (error) => {
        emit({ type: 'pty-exited', error });
        reportFailure(error);
      },
    });
  } catch (err) {
    simulator.close();
    throw err;
  }
  const openPty = pty;

  let closed: Promise<void> | undefined;
  return {
    ptyPath: openPty.path,
    portPath: openPty.link ?? openPty.path,
    simulator,
    memories,
    failed,
    save,
    close() {
      closed ??= (async () => {
        simulator.close();
        save('close');
        await openPty.close();
      })();
      return closed;
    },
  };
}
