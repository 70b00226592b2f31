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
import { CHEMISTRIES, parseChemistry, type Chemistry } from '../part/chemistry.js';
import { FUSES_FILE } from '../firmware/firmware.js';
import type { Segment } from '../image/ihex.js';
import { checkImageForDevice, readProgramImage, type ProgramImage } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';
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
  /** A debug build (start-up dump on the UART): not for boards that leave the bench. */
  debug: boolean;
}

/** `ltobms-fw <version> <chemistry>`, possibly followed by words such as `debug`, NUL-terminated. */
const VERSION_RE = new RegExp(`ltobms-fw ([\\x21-\\x7e]{1,40}) (${CHEMISTRIES.join('|')})((?: [\\x21-\\x7e]{1,20}){0,4})\\0`);
/** A `debug` word in a version (`v1.2-debug`, `debug-7`) or after the chemistry. */
const DEBUG_WORD = /(^|[-_.+ ])debug($|[-_.+ ])/i;
/**
 * What FW_DEBUG compiles in today (firmware/main.c, debug_startup): the start-up line's tail and
 * the EEPROM dump's label, one string literal.
 */
const DEBUG_STARTUP_TEXT = ' debug\r\n# eeprom';

function flashText(flash: readonly Segment[]): string[] {
  return flash.map((s) => Buffer.from(s.data.buffer, s.data.byteOffset, s.data.length).toString('latin1'));
}

/** Finds the `ltobms-fw <version> <chemistry>` string in the flash segments. */
export function embeddedVersion(flash: readonly Segment[]): { version: string; chemistry: Chemistry; debug: boolean } | undefined {
  for (const text of flashText(flash)) {
    const m = VERSION_RE.exec(text);
    if (m) return { version: m[1]!, chemistry: m[2] as Chemistry, debug: DEBUG_WORD.test(m[1]!) || DEBUG_WORD.test(m[3]!) };
  }
  return undefined;
}

/** A debug build: by its version string, or by the debug start-up text it carries. */
export function isDebugImage(flash: readonly Segment[]): boolean {
  return embeddedVersion(flash)?.debug === true || flashText(flash).some((t) => t.includes(DEBUG_STARTUP_TEXT));
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
  return { file, image, sha256, version: found?.version ?? null, chemistry: found?.chemistry ?? null, flashBytes, debug: isDebugImage(image.memories.flash) };
}

/**
 * The checks `ltobms flash` makes once it sees the part, made before any board is touched (the
 * part is known: every board carries an ATtiny824): built for another core or carrying another
 * part's signature, too big or misplaced for its flash, or a debug build (unless allowed). Exit 2.
 */
export function checkFirmwareForBoard(firmware: FirmwareInfo, options: { allowDebug: boolean }): void {
  try {
    checkImageForDevice(firmware.image, BOARD_DEVICE, false);
  } catch (err) {
    if (!(err instanceof LtobmsError)) throw err;
    throw new UsageError(err.message, { code: err.code, hint: `build it for the board's ${BOARD_DEVICE.name} (ltobms build writes build/main-<CHEMISTRY>-<version>.hex)`, cause: err });
  }
  planProgram({ flash: firmware.image.memories.flash }, BOARD_DEVICE, { chipErase: true });
  if (firmware.debug && !options.allowDebug) {
    throw new UsageError(`${firmware.file} is a debug build${firmware.version ? ` (${firmware.version})` : ''}: it dumps its configuration on the UART at every start`, {
      code: 'MANUFACTURE_DEBUG_IMAGE',
      hint: 'program the release build (ltobms build without --debug), or pass --allow-debug for a bench run',
    });
  }
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
  // Values that would take the UPDI pin away, or addresses past the fuses: refused now, not on the first board.
  planProgram({ fuses: segments }, BOARD_DEVICE);
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
