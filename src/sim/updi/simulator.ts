/**
 * A virtual ATtiny824 as a UPDI programmer sees it, and nothing more: a chip whose CPU never runs
 * (held like a part without firmware), with its one NVM controller and its UPDI target behind the
 * wire model. No ports and no processes: feed host bytes to `hostWrite`, receive echo and replies
 * through `toHost`. Driver tests, the programming fixture and benches use it; the whole board
 * (firmware running, ptys or pipes) is runtime/serve.ts.
 */
import { Attiny824 } from '../chip.js';
import type { NvmDataSpace } from '../nvm/dataspace.js';
import { NvmMemories } from '../nvm/memories.js';
import type { Nvmctrl, NvmEvent, NvmTimings } from '../nvm/nvmctrl.js';
import type { FaultSource } from '../wire/faults.js';
import type { UpdiWire } from '../wire/wire.js';
import { UpdiLink, type UpdiLinkOptions } from './link.js';
import type { UpdiControl, UpdiEvent, UpdiTarget } from './target.js';

/** The wire's settings (the link's options) and the chip's. */
export interface UpdiSimulatorOptions extends UpdiLinkOptions {
  /** The chip's memories (default: a factory-fresh part). */
  memories?: NvmMemories;
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
  readonly chip: Attiny824;
  readonly memories: NvmMemories;
  readonly nvmctrl: Nvmctrl;
  readonly dataSpace: NvmDataSpace;
  readonly target: UpdiTarget;
  readonly wire: UpdiWire;
  readonly faults: FaultSource | undefined;
  /** Bytes the host wrote. */
  hostWrite(bytes: Uint8Array): void;
  /** A real BREAK condition from the host. */
  hostBreak(): void;
  /** Stops the wire's timers. */
  close(): void;
}

export function createUpdiSimulator(options: UpdiSimulatorOptions): UpdiSimulator {
  const chip = new Attiny824({
    memories: options.memories ?? new NvmMemories(),
    nvmTimings: options.nvmTimings,
    onNvmChange: options.onNvmChange,
    onNvmEvent: options.onNvmEvent,
    onUpdiEvent: options.onUpdiEvent,
    onUpdiHold: options.control ? (held) => options.control!.setResetHeld(held) : undefined,
    breakIdleSeconds: options.breakIdleSeconds,
  });
  // Parked for good: whatever the flash holds never runs here, so time is the wire's alone.
  chip.setResetHeld(true);
  const link = new UpdiLink(chip, options);
  return {
    chip,
    memories: chip.memories,
    nvmctrl: chip.nvmctrl,
    dataSpace: chip.updiSpace,
    target: chip.updi,
    wire: link.wire,
    faults: link.faults,
    hostWrite: (bytes) => link.hostWrite(bytes),
    hostBreak: () => link.hostBreak(),
    close: () => link.close(),
  };
}
