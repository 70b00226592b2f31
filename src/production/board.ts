/**
 * Programming one board on the line, step by step, inside one UPDI session:
 *
 *   detect  programming mode (a locked chip is unlocked by chip erase), signature = ATtiny824,
 *           the unique ID
 *   fuses   the fuse bytes, each read back
 *   flash   chip erase, then the image page by page, each page read back while written
 *   eeprom  the serial number for the unique ID — reserved in the ledger before anything is written
 *           (its own if the ledger knows the chip) — then the 20-byte configuration, read back
 *   verify  everything once more at the end: flash image, EEPROM image, fuses
 *
 * A failure is thrown as a {@link BoardStepError} naming the step. Never prints.
 */
import { performance } from 'node:perf_hooks';
import { LtobmsError, throwIfAborted } from '../errors.js';
import { decodeConfig } from '../eeprom/image.js';
import type { Segment } from '../image/ihex.js';
import { planProgram, type ProgramPlan, type VerifyRange } from '../updi/plan.js';
import type { Programmer } from '../updi/program.js';
import { hex, hex2 } from '../util/hex.js';
import type { FirmwareInfo, FuseSource } from './firmware.js';
import { BOARD_DEVICE } from './firmware.js';
import { LedgerError, type LedgerStep, type SerialChoice } from './ledger.js';
import { hexId } from './probe.js';

export interface BoardJob {
  firmware: FirmwareInfo;
  fuses: FuseSource;
  /** The EEPROM configuration image for a serial number. */
  eepromFor(sn: number): Uint8Array;
  /** The chip's serial number, durably reserved for it before this resolves (the ledger). */
  reserve(uid: string): Promise<SerialChoice>;
  signal?: AbortSignal;
}

export type BoardEvent =
  | { type: 'step'; step: LedgerStep }
  | { type: 'identified'; uid: string; wasLocked: boolean }
  | { type: 'reserved'; uid: string; choice: SerialChoice };

export interface BoardResult {
  uid: string;
  choice: SerialChoice;
  eeprom: Uint8Array;
  /** Bytes written per memory, and bytes read back in the final verify. */
  written: { flash: number; eeprom: number; fuses: number };
  verified: number;
  retries: number;
  ms: number;
}

/** A board failed in a step; carries what was known about the board then. */
export class BoardStepError extends LtobmsError {
  constructor(
    readonly step: LedgerStep,
    readonly uid: string | null,
    readonly sn: number | null,
    readonly original: unknown,
  ) {
    const e = original instanceof LtobmsError ? original : undefined;
    const message = original instanceof Error ? original.message : String(original);
    super(`${step}: ${message}`, { code: e?.code ?? 'MANUFACTURE_FAILED', hint: e?.hint, details: e?.details, cause: original });
    this.name = 'BoardStepError';
  }
}

export async function programBoard(p: Programmer, job: BoardJob, onEvent: (e: BoardEvent) => void = () => undefined): Promise<BoardResult> {
  const t0 = performance.now();
  let step: LedgerStep = 'detect';
  let uid: string | null = null;
  let sn: number | null = null;
  const enter = (s: LedgerStep) => {
    throwIfAborted(job.signal);
    step = s;
    onEvent({ type: 'step', step: s });
  };
  try {
    enter('detect');
    let wasLocked = false;
    if (await p.session.isLocked()) {
      await p.chipErase();
      wasLocked = true;
    } else await p.session.enterProgMode();
    const device = await p.identify();
    if (device.name !== BOARD_DEVICE.name) {
      throw new LtobmsError(`the part on the fixture is an ${device.name}, not the board's ${BOARD_DEVICE.name}`, {
        code: 'MANUFACTURE_WRONG_PART',
        hint: 'take it off: this station programs LTO-BMS boards only',
      });
    }
    uid = hexId(await p.session.readSerialNumber());
    onEvent({ type: 'identified', uid, wasLocked });

    const fusePlan = planProgram({ fuses: job.fuses.segments }, device);
    const flashPlan = planProgram({ flash: job.firmware.image.memories.flash }, device, { chipErase: true });

    enter('fuses');
    await p.program(fusePlan);
    enter('flash');
    await p.program(flashPlan);
    enter('eeprom');
    // Reserved only now: a board that fails earlier uses up no number.
    const choice = await job.reserve(uid);
    sn = choice.sn;
    onEvent({ type: 'reserved', uid, choice });
    throwIfAborted(job.signal);
    const eeprom = job.eepromFor(sn);
    const eepromPlan = planProgram({ eeprom: [{ address: 0, data: eeprom }] satisfies Segment[] }, device);
    await p.program(eepromPlan);

    enter('verify');
    let verified = 0;
    for (const plan of [flashPlan, eepromPlan, fusePlan]) verified += await readBack(p, plan);
    const back = await p.readMemory(device, 'eeprom', 0, eeprom.length);
    const decoded = decodeConfig(back, 'the EEPROM read back');
    if (!decoded.crcValid || !decoded.magicValid || decoded.config.serialNumber !== sn) {
      throw new LtobmsError(`the EEPROM read back holds serial number ${decoded.config.serialNumber} (CRC ${decoded.crcValid ? 'valid' : 'invalid'}), not ${sn}`, { code: 'MANUFACTURE_VERIFY' });
    }
    return {
      uid,
      choice,
      eeprom,
      written: { flash: flashPlan.bytes.flash, eeprom: eepromPlan.bytes.eeprom, fuses: fusePlan.bytes.fuses },
      verified,
      retries: p.retries,
      ms: performance.now() - t0,
    };
  } catch (err) {
    // Ctrl-C, or a ledger that cannot be written: the run stops, the board is not a failure of its own.
    if (job.signal?.aborted || err instanceof LedgerError) throw err;
    throw new BoardStepError(step, uid, sn, err);
  }
}

/** Reads every verify range of a plan and compares; returns the bytes read. */
async function readBack(p: Programmer, plan: ProgramPlan): Promise<number> {
  let bytes = 0;
  for (const range of plan.verify) {
    const got = await p.readMemory(BOARD_DEVICE, range.memory, range.offset, range.expected.length);
    const at = firstDifference(range, got);
    if (at >= 0) {
      throw new LtobmsError(
        `final read-back: ${range.memory} at offset ${hex(range.offset + at)} reads 0x${hex2(got[at]!)}, expected 0x${hex2(range.expected[at]!)}`,
        { code: 'MANUFACTURE_VERIFY', hint: 'the board does not keep what was written: put it aside for inspection', details: { memory: range.memory, offset: range.offset + at } },
      );
    }
    bytes += got.length;
  }
  return bytes;
}

function firstDifference(range: VerifyRange, got: Uint8Array): number {
  for (let i = 0; i < range.expected.length; i++) if (range.expected[i] !== got[i]) return i;
  return -1;
}
