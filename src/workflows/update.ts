/**
 * The programming half of `ltobms run`: bring a board up to date with the fewest writes.
 *
 * "Has the image changed?" is answered by reading the board's flash back over the image's pages
 * and comparing, not by a hash kept on the chip: the read-back is the truth whatever programmed
 * the board last (avrdude, another ltobms, a half-finished write), it leaves the user row to the
 * user, and it costs one read of the image (3.9 KB: 0.45 s for a whole up-to-date run at 115200
 * baud on the virtual board, against 2.1 s for the run that writes it). Only pages that differ
 * are erase-written, each read back.
 *
 * The EEPROM configuration is written only when asked for, and only if the 20 bytes differ.
 * Never prints; reports through `onEvent` and the programmer's progress callback.
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { decodeConfig, CONFIG_SIZE, type DecodedImage } from '../eeprom/image.js';
import type { Segment } from '../image/ihex.js';
import { checkImageForDevice, type ProgramImage } from '../updi/image-file.js';
import { planProgram, type ProgramPlan } from '../updi/plan.js';
import type { Programmer } from '../updi/program.js';

export interface UpdateInput {
  image: ProgramImage;
  /**
   * The configuration to write, given what the board holds now (undefined: no valid
   * configuration); omit to leave the EEPROM alone.
   */
  eeprom?: (current: DecodedImage | undefined) => Uint8Array;
  verify: boolean;
  /** Write even if the image names another part. */
  force: boolean;
}

export type UpdateEvent =
  | { type: 'phase'; phase: 'compare-flash' | 'write-flash' | 'compare-eeprom' | 'write-eeprom' }
  | { type: 'identified'; device: string };

export interface UpdateResult {
  device: string;
  flash: {
    /** Bytes compared (the image's pages). */
    compared: number;
    pages: number;
    changedPages: number;
    written: number;
    /** Offsets of the pages written. */
    changedOffsets: number[];
  };
  eeprom: null | { before: DecodedImage | undefined; after: DecodedImage; written: boolean };
  verified: number;
  retries: number;
  ms: number;
}

export async function updateBoard(p: Programmer, input: UpdateInput, onEvent: (e: UpdateEvent) => void = () => undefined): Promise<UpdateResult> {
  const t0 = performance.now();
  await p.session.enterProgMode();
  const device = await p.identify();
  onEvent({ type: 'identified', device: device.name });
  checkImageForDevice(input.image, device, input.force);

  onEvent({ type: 'phase', phase: 'compare-flash' });
  const full = planProgram({ flash: input.image.memories.flash }, device);
  const chip = new Map<number, Uint8Array>();
  let compared = 0;
  for (const range of full.verify) {
    const got = await p.readMemory(device, 'flash', range.offset, range.expected.length);
    compared += got.length;
    for (let off = 0; off < got.length; off += device.flashPageSize) chip.set(range.offset + off, got.subarray(off, off + device.flashPageSize));
  }
  const changed = full.pages.filter((page) => !sameBytes(chip.get(page.offset), page.write.data));
  let verified = 0;
  if (changed.length) {
    onEvent({ type: 'phase', phase: 'write-flash' });
    const plan: ProgramPlan = {
      ...full,
      pages: changed,
      verify: [], // each written page is read back while it is written; the rest was just compared
      bytes: { flash: changed.reduce((n, pg) => n + pg.write.data.length, 0), eeprom: 0, userrow: 0, fuses: 0 },
    };
    verified += (await p.program(plan, { verify: input.verify })).verified;
  }

  let eeprom: UpdateResult['eeprom'] = null;
  if (input.eeprom) {
    onEvent({ type: 'phase', phase: 'compare-eeprom' });
    const now = await p.readMemory(device, 'eeprom', 0, CONFIG_SIZE);
    const decoded = decodeConfig(now, 'the board\'s EEPROM');
    const before = decoded.magicValid && decoded.crcValid ? decoded : undefined;
    const wanted = input.eeprom(before);
    const written = !sameBytes(now, wanted);
    if (written) {
      onEvent({ type: 'phase', phase: 'write-eeprom' });
      const plan = planProgram({ eeprom: [{ address: 0, data: wanted }] satisfies Segment[] }, device);
      verified += (await p.program(plan, { verify: input.verify })).verified;
    }
    eeprom = { before, after: decodeConfig(wanted), written };
  }
  return {
    device: device.name,
    flash: {
      compared,
      pages: full.pages.length,
      changedPages: changed.length,
      written: changed.reduce((n, pg) => n + pg.write.data.length, 0),
      changedOffsets: changed.map((pg) => pg.offset),
    },
    eeprom,
    verified,
    retries: p.retries,
    ms: performance.now() - t0,
  };
}

/** The serial number a board holds in a valid configuration (what `run` keeps without --sn). */
export function boardSerial(current: DecodedImage | undefined): number {
  if (current) return current.config.serialNumber;
  throw new UsageError('the board holds no valid configuration, so its serial number is unknown', {
    code: 'RUN_NO_SN',
    hint: 'pass --sn N (later runs keep the number the board holds)',
  });
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
