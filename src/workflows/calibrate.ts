/**
 * `calibrateBoard`: a board that reads its cell exactly, from values measured with a multimeter
 * (docs/calibration.md, "Calibrating a board"). The steps:
 *
 * 1. Over UPDI (programming mode holds the chip in reset): identify the part, check that the flash
 *    holds firmware, read the configuration and the calibration block (EEPROM bytes 0–39).
 * 2. Leave programming mode — the chip restarts — and take the next frames from its UART, skipping
 *    the start-up frame (measured before the outputs are switched on).
 * 3. Plan the corrections (calibration-plan.ts); refuse implausible ones unless `force`.
 * 4. Over UPDI: write bytes 20–39 only (the configuration — serial number, limits — is never
 *    written), read 0–39 back and compare: the block as planned, the configuration as it was.
 * 5. Leaving programming mode resets the chip, which reads the EEPROM only at start-up; the next
 *    frames must read the references within tolerance, else the job fails saying so.
 *
 * The seam for other callers (a production station later): {@link programmerTarget} wraps an
 * already connected programmer and a frame source; the station keeps both open around the call.
 * Never prints: every step is an event.
 */
import { CONFIG_SIZE, decodeConfig, type EepromConfig } from '../eeprom/image.js';
import { CALIBRATION_OFFSET, CALIBRATION_SIZE, encodeCalibration, inspectCalibration, type Calibration } from '../eeprom/calibration.js';
import { LtobmsError, UsageError } from '../errors.js';
import type { Frame } from '../logging/frame.js';
import { planProgram } from '../updi/plan.js';
import type { Programmer } from '../updi/program.js';
import { confirmTolerance, meanReading, planCalibration, CalibrationInputError, type CalibrationReferences, type CalibrationRow, type Implausible } from './calibration-plan.js';
import type { FrameSource } from './frame-source.js';

/** What the workflow needs of a board: programming sessions and its frames. */
export interface CalibrationTarget {
  /**
   * Runs `job` in programming mode (the chip held in reset); when the returned promise settles the
   * chip has left programming mode and runs its firmware again from reset.
   */
  programming<T>(job: (p: Programmer) => Promise<T>): Promise<T>;
  readonly frames: FrameSource;
}

/**
 * The seam: a programmer that is already connected (not in programming mode) and the board's frame
 * source. Leaving programming mode disables the UPDI, so the next session reconnects on the same
 * port; after the last one the programmer is connected again, as it was given.
 */
export function programmerTarget(p: Programmer, frames: FrameSource): CalibrationTarget {
  return {
    frames,
    async programming(job) {
      await p.session.enterProgMode();
      let result: Awaited<ReturnType<typeof job>>;
      try {
        result = await job(p);
      } catch (err) {
        // Let the firmware run again, but the job's error is the one to report.
        await p.session.leaveProgMode().then(() => p.session.connect()).catch(() => undefined);
        throw err;
      }
      await p.session.leaveProgMode();
      await p.session.connect();
      return result;
    },
  };
}

export interface CalibrateInput {
  references: CalibrationReferences;
  /** Frames to average, before and after (default 1). */
  frames?: number;
  /** Longest wait for each frame (ms); a board sends one a minute. */
  frameTimeoutMs: number;
  /** Write corrections beyond plausible tolerance too. */
  force?: boolean;
  signal?: AbortSignal;
}

export type CalibrateEvent =
  | { type: 'reading-board' }
  | { type: 'board'; device: string; serialNumber: number | null; calibrated: boolean }
  | { type: 'waiting-frames'; count: number; timeoutMs: number; phase: 'before' | 'after' }
  | { type: 'frame'; frame: Frame; phase: 'before' | 'after' }
  | { type: 'planned'; rows: CalibrationRow[] }
  | { type: 'writing'; bytes: number }
  | { type: 'written'; bytes: number; verified: number };

/** One row of the table, with what the board read after the new block was in force. */
export interface CalibrationResultRow extends CalibrationRow {
  /** Mean reading of the confirming frames. */
  after: number;
  tolerance: number;
  ok: boolean;
}

export interface CalibrationResult {
  device: string;
  measurement: Frame['measurement'];
  /** The configuration block's serial number (null: no valid configuration). */
  serialNumber: number | null;
  before: Calibration;
  after: Calibration;
  rows: CalibrationResultRow[];
  /** Corrections beyond plausible tolerance, written because of --force. */
  forced: Implausible[];
  /** EEPROM bytes 20–39 as written (hex). */
  block: string;
  framesBefore: Frame[];
  framesAfter: Frame[];
}

/** Bytes 0–39 as read over UPDI, and what they hold. */
interface BoardEeprom {
  device: string;
  bytes: Uint8Array;
  config: EepromConfig | null;
  calibration: Calibration;
  calibrated: boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function readBoard(p: Programmer): Promise<BoardEeprom> {
  const device = await p.identify();
  const reset = await p.readMemory(device, 'flash', 0, 2);
  if (reset[0] === 0xff && reset[1] === 0xff) {
    throw new LtobmsError(`the ${device.name}'s flash is erased: no firmware runs to measure anything`, {
      code: 'CALIBRATE_NO_FIRMWARE',
      hint: 'flash the firmware first (ltobms flash, or ltobms run), then calibrate',
    });
  }
  const bytes = await p.readMemory(device, 'eeprom', 0, CALIBRATION_OFFSET + CALIBRATION_SIZE);
  const decoded = decodeConfig(bytes);
  const block = inspectCalibration(bytes.subarray(CALIBRATION_OFFSET));
  return {
    device: device.name,
    bytes,
    config: decoded.magicValid && decoded.crcValid ? decoded.config : null,
    calibration: block.calibration,
    calibrated: block.valid,
  };
}

/** The next `count` frames measured with the outputs settled (the start-up frame is skipped). */
async function takeFrames(target: CalibrationTarget, input: CalibrateInput, phase: 'before' | 'after', emit: (e: CalibrateEvent) => void): Promise<Frame[]> {
  const count = input.frames ?? 1;
  emit({ type: 'waiting-frames', count, timeoutMs: input.frameTimeoutMs, phase });
  const frames: Frame[] = [];
  while (frames.length < count) {
    const frame = await target.frames.next(input.frameTimeoutMs, input.signal);
    // At uptime 0 the firmware has not switched its outputs on yet: no load current, no load voltage.
    if (frame.uptime === 0) continue;
    emit({ type: 'frame', frame, phase });
    frames.push(frame);
  }
  return frames;
}

function refuse(implausible: Implausible[]): never {
  const [first, ...rest] = implausible;
  throw new UsageError(`${first!.reason}${rest.length ? ` (and ${rest.map((i) => i.quantity).join(', ')})` : ''}; nothing written`, {
    code: 'CALIBRATE_IMPLAUSIBLE',
    hint: 'check the reference (meter range, where you measured, the sign of the current) and the board; --force writes it anyway',
    details: { implausible },
  });
}

export async function calibrateBoard(target: CalibrationTarget, input: CalibrateInput, onEvent: (e: CalibrateEvent) => void = () => undefined): Promise<CalibrationResult> {
  const emit = onEvent;
  emit({ type: 'reading-board' });
  const board = await target.programming(readBoard);
  emit({ type: 'board', device: board.device, serialNumber: board.config?.serialNumber ?? null, calibrated: board.calibrated });

  // The chip restarted when the session ended: what came before was measured before that.
  target.frames.discard();
  const before = await takeFrames(target, input, 'before', emit);
  let plan;
  try {
    plan = planCalibration(before, input.references, board.calibration);
  } catch (err) {
    if (!(err instanceof CalibrationInputError)) throw err;
    throw new UsageError(`${err.message}; nothing written`, { code: 'CALIBRATE_REFERENCE', hint: err.hint, details: { quantity: err.quantity } });
  }
  emit({ type: 'planned', rows: plan.rows });
  if (plan.implausible.length && !input.force) refuse(plan.implausible);
  const block = encodeCalibration(plan.calibration);

  emit({ type: 'writing', bytes: block.length });
  const written = await target.programming(async (p) => {
    const device = await p.identify();
    const result = await p.program(planProgram({ eeprom: [{ address: CALIBRATION_OFFSET, data: block }] }, device), { verify: true });
    const back = await p.readMemory(device, 'eeprom', 0, CALIBRATION_OFFSET + CALIBRATION_SIZE);
    if (hex(back.subarray(0, CONFIG_SIZE)) !== hex(board.bytes.subarray(0, CONFIG_SIZE)) || hex(back.subarray(CALIBRATION_OFFSET)) !== hex(block)) {
      throw new LtobmsError(`the EEPROM does not read back as written (bytes 0–39: ${hex(back)}, expected ${hex(board.bytes.subarray(0, CONFIG_SIZE))}${hex(block)})`, {
        code: 'CALIBRATE_VERIFY',
        hint: 'check the UPDI wiring and the supply, then run ltobms calibrate again',
      });
    }
    return { bytes: result.written.eeprom, verified: result.verified + back.length };
  });
  emit({ type: 'written', ...written });

  target.frames.discard();
  const after = await takeFrames(target, input, 'after', emit);
  const rows = plan.rows.map((row): CalibrationResultRow => {
    const reading = meanReading(after, row.quantity);
    const tolerance = confirmTolerance(row.quantity, row.reference);
    return { ...row, after: reading, tolerance, ok: Math.abs(reading - row.reference) <= tolerance };
  });
  const result: CalibrationResult = {
    device: board.device,
    measurement: before[0]!.measurement,
    serialNumber: board.config?.serialNumber ?? null,
    before: board.calibration,
    after: plan.calibration,
    rows,
    forced: plan.implausible,
    block: hex(block),
    framesBefore: before,
    framesAfter: after,
  };
  const off = rows.filter((r) => !r.ok);
  if (off.length) {
    throw new LtobmsError(
      `written and verified, but the board now reads ${off.map((r) => `${r.quantity} ${r.after} ${r.unit} (reference ${r.reference}, tolerance ±${Math.round(r.tolerance * 10) / 10})`).join(', ')}`,
      {
        code: 'CALIBRATE_NOT_CONFIRMED',
        hint: 'did the cell, the load or the temperature change since you measured? Measure again and rerun ltobms calibrate (it corrects on top of this block)',
        details: { result },
      },
    );
  }
  return result;
}
