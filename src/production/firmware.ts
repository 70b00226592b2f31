/**
 * The firmware a production run writes: its image, its identity (file hash, the version and
 * chemistry the image carries in its `ltobms-fw <version> <chemistry>` string, see
 * firmware/main.c), and the fuse bytes that go with it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LtobmsError, UsageError } from '../errors.js';
import { CHEMISTRIES, parseChemistry, type Chemistry } from '../eeprom/chemistry.js';
import { FUSES_FILE } from '../firmware/firmware.js';
import type { Segment } from '../image/ihex.js';
import { readProgramImage, type ProgramImage } from '../updi/image-file.js';
import { ATTINY824 } from '../part/attiny824.js';
import { FUSE_NAMES } from '../part/fuses.js';
import { hex2 } from '../util/hex.js';

export interface FirmwareInfo {
  file: string;
  image: ProgramImage;
  sha256: string;
  /** From the embedded version string; null for an image without one. */
  version: string | null;
  /** The chemistry the image was built for (embedded string); null if unknown. */
  chemistry: Chemistry | null;
  /** Flash bytes in the image. */
  flashBytes: number;
}

const VERSION_RE = new RegExp(`ltobms-fw ([\\x21-\\x7e]{1,40}) (${CHEMISTRIES.join('|')})\\0`);

/** Finds the `ltobms-fw <version> <chemistry>` string in the flash segments. */
export function embeddedVersion(flash: readonly Segment[]): { version: string; chemistry: Chemistry } | undefined {
  for (const s of flash) {
    const m = VERSION_RE.exec(Buffer.from(s.data.buffer, s.data.byteOffset, s.data.length).toString('latin1'));
    if (m) return { version: m[1]!, chemistry: m[2] as Chemistry };
  }
  return undefined;
}

export async function loadFirmware(file: string): Promise<FirmwareInfo> {
  const image = await readProgramImage(file).catch((err: unknown) => {
    if (err instanceof LtobmsError && !err.hint) {
      throw new UsageError(err.message, { code: err.code, hint: '`ltobms build` writes the image as build/main-<CHEMISTRY>-<version>.hex', cause: err });
    }
    throw err;
  });
  const flashBytes = image.memories.flash.reduce((n, s) => n + s.data.length, 0);
  if (!flashBytes) throw new UsageError(`${file} has no flash data`, { code: 'IMAGE_EMPTY', hint: 'pass the main-<CHEM>-<VER>.hex (or .elf) that `ltobms build` writes' });
  const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
  const found = embeddedVersion(image.memories.flash);
  return { file, image, sha256, version: found?.version ?? null, chemistry: found?.chemistry ?? null, flashBytes };
}

/**
 * The chemistry of the EEPROM configuration: the one asked for, which must match the firmware's
 * own; else the firmware's; else LTO.
 */
export function chooseChemistry(asked: string | undefined, firmware: FirmwareInfo): Chemistry {
  const chosen = asked === undefined ? undefined : parseChemistry(asked);
  if (chosen && firmware.chemistry && chosen !== firmware.chemistry) {
    throw new UsageError(`${firmware.file} is the ${firmware.chemistry} firmware, but --chemistry is ${chosen}`, {
      code: 'MANUFACTURE_CHEMISTRY',
      hint: `use the ${chosen} build (main-${chosen}-<version>.hex), or drop --chemistry`,
    });
  }
  return chosen ?? firmware.chemistry ?? 'LTO';
}

export interface FuseSource {
  file: string;
  segments: Segment[];
  /** The fuse bytes by index (undefined where the file has none). */
  values: (number | undefined)[];
}

/**
 * The fuse file: `--fuses` if given, else `fuses.hex` beside the firmware file, else the
 * package's firmware/fuses.hex.
 */
export async function loadFuses(explicit: string | undefined, firmwareFile: string): Promise<FuseSource> {
  const beside = join(dirname(firmwareFile), 'fuses.hex');
  const file = explicit ?? (existsSync(beside) ? beside : FUSES_FILE);
  const image = await readProgramImage(file);
  const segments = image.memories.fuses;
  if (!segments.length) {
    throw new UsageError(`${file} holds no fuse bytes (expected Intel HEX data at 0x820000)`, {
      code: 'MANUFACTURE_FUSES',
      hint: 'see firmware/fuses.hex for the format, or pass another --fuses file',
    });
  }
  const values: (number | undefined)[] = new Array(FUSE_NAMES.length).fill(undefined);
  for (const s of segments) s.data.forEach((b, i) => {
    if (s.address + i < values.length) values[s.address + i] = b;
  });
  return { file, segments, values };
}

/** Fuse values as hex for the ledger, `--` for bytes the file leaves alone. */
export function fuseHex(values: readonly (number | undefined)[]): string {
  return values.map((v) => (v === undefined ? '--' : hex2(v))).join('');
}

/** The part every board carries. */
export const BOARD_DEVICE = ATTINY824;
