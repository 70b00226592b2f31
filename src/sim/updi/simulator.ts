/**
 * An in-process virtual ATtiny824 as a UPDI programmer sees it: memories, NVMCTRL, the UPDI view
 * of the data space, the protocol front end and the wire model, wired together. No ports and no
 * processes: feed host bytes to `hostWrite`, receive echo and replies through `toHost`. The pty
 * server (serve.ts) and in-process transports for tests both build on this.
 */
import { NvmDataSpace } from '../nvm/dataspace.js';
import { NvmMemories } from '../nvm/memories.js';
import { Nvmctrl, type NvmEvent, type NvmTimings } from '../nvm/nvmctrl.js';
import { realClock, type WireClock } from '../wire/clock.js';
import { FaultInjector, type FaultConfig } from '../wire/faults.js';
import { UpdiWire } from '../wire/wire.js';
import { UpdiTarget, type UpdiControl, type UpdiEvent } from './target.js';

export interface UpdiSimulatorOptions {
  /** Bytes for the host: the echo of what it sent, then the target's replies. */
  toHost: (bytes: Uint8Array) => void;
  /** The chip's memories (default: a factory-fresh part). */
  memories?: NvmMemories;
  clock?: WireClock;
  /** Wire pacing baud rate; 0 or undefined = off. */
  baud?: number;
  /** USB adapter latency timer in seconds; 0 or undefined = off. */
  latencySeconds?: number;
  faults?: FaultConfig;
  /** Who gets told when the UPDI holds or releases the CPU. */
  control?: UpdiControl;
  onUpdiEvent?: (event: UpdiEvent) => void;
  onNvmEvent?: (event: NvmEvent) => void;
  /** Called whenever NVM contents change. */
  onNvmChange?: () => void;
  nvmTimings?: Partial<NvmTimings>;
  /** See {@link UpdiTargetOptions.breakIdleSeconds}. */
  breakIdleSeconds?: number;
}

export interface UpdiSimulator {
  readonly memories: NvmMemories;
  readonly nvmctrl: Nvmctrl;
  readonly dataSpace: NvmDataSpace;
  readonly target: UpdiTarget;
  readonly wire: UpdiWire;
  readonly faults: FaultInjector | undefined;
  /** Bytes the host wrote. */
  hostWrite(bytes: Uint8Array): void;
  /** Stops the wire's timers. */
  close(): void;
}

export function createUpdiSimulator(options: UpdiSimulatorOptions): UpdiSimulator {
  const memories = options.memories ?? new NvmMemories();
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  const wire = new UpdiWire({
    clock: options.clock ?? realClock,
    baud: options.baud,
    latencySeconds: options.latencySeconds,
    faults,
    toHost: options.toHost,
  });
  const time = { now: () => wire.now() };
  const nvmctrl = new Nvmctrl(memories, time, {
    timings: options.nvmTimings,
    onChange: options.onNvmChange,
    onEvent: options.onNvmEvent,
  });
  const dataSpace = NvmDataSpace.updiView(memories, nvmctrl);
  const target = new UpdiTarget({
    dataSpace,
    memories,
    nvmctrl,
    clock: time,
    transmit: (byte, idleBits) => wire.fromTarget(byte, idleBits),
    control: options.control,
    onEvent: options.onUpdiEvent,
    breakIdleSeconds: options.breakIdleSeconds,
  });
  wire.connect(target);
  return {
    memories,
    nvmctrl,
    dataSpace,
    target,
    wire,
    faults,
    hostWrite: (bytes) => wire.fromHost(bytes),
    close: () => wire.close(),
  };
}
