/**
 * The workflow behind `ltobms run`: from source to live data. Build the firmware (incremental),
 * open the board, flash only the pages that changed and write the EEPROM configuration if asked
 * ({@link updateBoard}), then tail the board's log frames into the configured target until the
 * signal fires. The board — a real one on serial ports or the virtual one — is injected
 * ({@link BoardOpener}), so this file does not know which it drives.
 *
 * Never prints: every step is reported through `onEvent`, the programmer's progress through
 * `onProgress`; failures are thrown.
 */
import { describeTarget, type LogConfig } from '../logging/config.js';
import type { LogSummary, SessionEvent, TailOptions } from '../logging/session.js';
import { openWriter, writerFailure } from '../logging/target.js';
import { LtobmsError } from '../errors.js';
import type { Chemistry } from '../part/chemistry.js';
import type { DecodedImage } from '../eeprom/image.js';
import { buildFirmware, type FirmwareBuild } from '../firmware/firmware.js';
import type { Diagnostic } from '../firmware/toolchain.js';
import { readProgramImage } from '../updi/image-file.js';
import type { ProgressEvent } from '../updi/progress.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import type { BoardInfo, BoardOpener } from './board.js';
import { updateBoard, type UpdateEvent, type UpdateResult } from './update.js';

export interface RunInput {
  build: { chemistry: Chemistry; version: string; debug: boolean; outDir: string };
  /** The board: opened after a successful build, closed when the workflow ends. */
  board: BoardOpener;
  /** UPDI link settings. */
  updi: { baud: number; timeoutMs: number; part?: DeviceInfo };
  /** The configuration to write, given what the board holds; omit to leave the EEPROM alone. */
  eeprom?: (current: DecodedImage | undefined) => Uint8Array;
  verify: boolean;
  /** Write even if the image names another part. */
  force: boolean;
  /** Tail the board's log after programming; omit to stop once the board is programmed. */
  log?: { config: LogConfig; baudRate: number; onLost?: TailOptions['onLost'] };
  signal: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  onProgress?: (event: ProgressEvent) => void;
}

export type RunEvent =
  | { type: 'build-started'; chemistry: Chemistry; version: string }
  | { type: 'build-diagnostic'; diagnostic: Diagnostic }
  | { type: 'built'; build: FirmwareBuild }
  | { type: 'board-ready'; board: BoardInfo }
  | { type: 'connecting'; port: string }
  | { type: 'update'; event: UpdateEvent }
  | { type: 'programmed'; build: FirmwareBuild; result: UpdateResult }
  | { type: 'tailing'; uart: string; baudRate: number; target: string }
  | { type: 'log'; event: SessionEvent };

export interface RunResult {
  build: FirmwareBuild;
  update: UpdateResult;
  /** The tail's summary (undefined without `log`). */
  log: LogSummary | undefined;
}

export async function runWorkflow(input: RunInput): Promise<RunResult> {
  const emit = input.onEvent ?? (() => undefined);
  const { signal } = input;
  const { chemistry, version } = input.build;

  emit({ type: 'build-started', chemistry, version });
  const build = await buildFirmware(
    { chemistry, version, debug: input.build.debug, outDir: input.build.outDir },
    { signal, onDiagnostic: (diagnostic) => emit({ type: 'build-diagnostic', diagnostic }) },
  );
  if (!build.withinLimits) {
    throw new LtobmsError(`the ${chemistry} firmware does not fit the ATtiny824 (flash ${build.memory.flash}/${build.limits.flash} B, RAM ${build.memory.ram}/${build.limits.ram} B)`, {
      code: 'BUILD_TOO_BIG',
      hint: 'remove code or data, or build without --debug',
    });
  }
  emit({ type: 'built', build });
  const image = await readProgramImage(build.artifacts.hex);

  const board = await input.board.open(signal);
  try {
    emit({ type: 'board-ready', board: board.info });
    emit({ type: 'connecting', port: board.updiName });
    const update = await board.withProgrammer({ baud: input.updi.baud, timeoutMs: input.updi.timeoutMs, part: input.updi.part, signal, onProgress: input.onProgress }, (p) =>
      updateBoard(p, { image, eeprom: input.eeprom, verify: input.verify, force: input.force }, (event) => emit({ type: 'update', event })),
    );
    emit({ type: 'programmed', build, result: update });
    if (!input.log) return { build, update, log: undefined };

    const { config, baudRate, onLost } = input.log;
    const onEvent = (event: SessionEvent) => emit({ type: 'log', event });
    const writer = openWriter(config, { onEvent });
    emit({ type: 'tailing', uart: board.uartName ?? '', baudRate, target: describeTarget(config.target) });
    const log = await board.tail({ baudRate, writer, signal, onEvent, onLost });
    const failure = writerFailure(writer, config.dataDir);
    if (failure) throw failure;
    return { build, update, log };
  } finally {
    await board.close();
  }
}
