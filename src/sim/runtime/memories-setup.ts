/**
 * Putting things into the virtual board's memories before it runs: a firmware image (Intel HEX or
 * ELF, as `ltobms build` writes them), the project's fuse file, and a scenario's EEPROM settings.
 * Library only: reads files, never prints.
 */
import { readFile } from 'node:fs/promises';
import { FUSES_FILE } from '../../firmware/firmware.js';
import { CHEMISTRY } from '../../part/chemistry.js';
import { encodeConfig } from '../../eeprom/image.js';
import { ExitCode, LtobmsError } from '../../errors.js';
import { parseIntelHex, splitAvrMemories, type Segment } from '../../image/ihex.js';
import { readProgramImage } from '../../updi/image-file.js';
import type { NvmMemories } from '../nvm/memories.js';
import type { Scenario } from '../scenario/types.js';

/** What {@link preloadFirmware} put where. */
export interface PreloadResult {
  source: string;
  flashBytes: number;
  eepromBytes: number;
}

function place(target: Uint8Array, segments: readonly Segment[], what: string, source: string): number {
  let bytes = 0;
  for (const s of segments) {
    if (s.address + s.data.length > target.length) {
      throw new LtobmsError(`${source}: ${what} data at 0x${s.address.toString(16)} does not fit the ATtiny824's ${target.length}-byte ${what}`, {
        code: 'SIM_IMAGE_SIZE',
        exitCode: ExitCode.usage,
        hint: 'build the image for the ATtiny824 (ltobms build)',
      });
    }
    target.set(s.data, s.address);
    bytes += s.data.length;
  }
  return bytes;
}

/**
 * Loads a firmware image into the memories as a programmer would leave them: flash erased and
 * written; the EEPROM only when `withEeprom` (and the image has any).
 */
export async function preloadFirmware(memories: NvmMemories, path: string, withEeprom = false): Promise<PreloadResult> {
  const image = await readProgramImage(path);
  if (image.memories.flash.length === 0) {
    throw new LtobmsError(`${path} holds no flash data`, {
      code: 'SIM_IMAGE_EMPTY',
      exitCode: ExitCode.usage,
      hint: 'give the .hex or .elf that ltobms build wrote (build/main-<CHEM>-<version>.hex)',
    });
  }
  memories.flash.fill(0xff);
  const flashBytes = place(memories.flash, image.memories.flash, 'flash', path);
  const eepromBytes = withEeprom ? place(memories.eeprom, image.memories.eeprom, 'EEPROM', path) : 0;
  return { source: path, flashBytes, eepromBytes };
}

/** Writes the fuse bytes of an Intel HEX fuse file (default: the project's firmware/fuses.hex). */
export async function preloadFuses(memories: NvmMemories, path = FUSES_FILE): Promise<void> {
  const segments = splitAvrMemories(parseIntelHex(await readFile(path, 'latin1'), path), path).fuses;
  place(memories.fuses, segments, 'fuses', path);
}

/** The 20-byte image (or raw bytes) a scenario asks for, or undefined if it sets no EEPROM. */
export function scenarioEepromBytes(scenario: Scenario): Uint8Array | undefined {
  const e = scenario.eeprom;
  if (!e) return undefined;
  if (e.kind === 'raw') return e.bytes;
  return encodeConfig({ ...CHEMISTRY[scenario.chemistry].defaults, serialNumber: 0, tempOffset: 0, ...e.fields });
}

/** True when the flash's reset vector is erased: there is no firmware to run. */
export function flashErased(memories: NvmMemories): boolean {
  return memories.flash[0] === 0xff && memories.flash[1] === 0xff;
}
