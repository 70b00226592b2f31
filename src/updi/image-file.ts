/**
 * Reading a programming image from disk (Intel HEX, AVR ELF or raw binary) and checking that it
 * was made for the connected part.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { parseIntelHex, splitAvrMemories, type AvrMemoryName, type Segment } from '../image/ihex.js';
import { AVR_ARCH_XMEGA3, isElf, parseAvrElf } from '../image/elf.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import { UpdiError } from './errors.js';
import { hexBytes } from '../util/hex.js';

export interface ProgramImage {
  source: string;
  format: 'ihex' | 'elf' | 'bin';
  memories: Record<AvrMemoryName, Segment[]>;
  /** avr-gcc architecture number for ELF files. */
  arch?: number;
}

export async function readProgramImage(path: string): Promise<ProgramImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { code: 'IMAGE_READ' });
  }
  const ext = extname(path).toLowerCase();
  if (isElf(buf)) {
    const elf = parseAvrElf(buf, path);
    return { source: path, format: 'elf', memories: splitAvrMemories(elf.segments, path), arch: elf.arch };
  }
  if (ext === '.bin') {
    if (buf.length === 0) throw new UsageError(`${path} is empty`, { code: 'IMAGE_EMPTY' });
    const memories = splitAvrMemories([{ address: 0, data: new Uint8Array(buf) }], path);
    return { source: path, format: 'bin', memories };
  }
  const text = buf.toString('latin1');
  if (ext !== '.hex' && ext !== '.ihex' && !text.trimStart().startsWith(':')) {
    throw new UsageError(`${path}: unknown image format (expected Intel HEX, an AVR ELF or a .bin)`, {
      code: 'IMAGE_FORMAT',
      hint: 'name Intel HEX files *.hex and raw flash images *.bin',
    });
  }
  return { source: path, format: 'ihex', memories: splitAvrMemories(parseIntelHex(text, path), path) };
}

/**
 * Refuses an image made for another part: an ELF built for another AVR core, or a signature
 * (avr-libc `.signature`, or avrdude's signature memory at 0x840000) that names another part.
 * Size mismatches are caught by the planner. `force` turns the refusal off.
 */
export function checkImageForDevice(image: ProgramImage, device: DeviceInfo, force: boolean): void {
  if (force) return;
  const refuse = (why: string) =>
    new UpdiError('DEVICE_MISMATCH', `${image.source} was made for another part: ${why}; the connected part is an ${device.name}`, {
      hint: 'build the image for the connected part, or pass --force if you are sure',
      exitCode: ExitCode.usage,
    });
  if (image.arch !== undefined && image.arch !== AVR_ARCH_XMEGA3) {
    throw refuse(`it is built for AVR architecture ${image.arch}, not avrxmega3 (103)`);
  }
  const sig = image.memories.sigrow.find((s) => s.address === 0 && s.data.length >= 3);
  if (sig) {
    const bytes = [...sig.data.subarray(0, 3)];
    const want = [...device.signature];
    // avr-libc stores the signature last byte first; avrdude's signature memory is in device order.
    const same = (a: number[]) => a.every((b, i) => b === want[i]);
    if (!same(bytes) && !same([...bytes].reverse())) throw refuse(`its signature is ${hexBytes(bytes)}`);
  }
}

/** What `flash` and `verify` take from an image: flash, EEPROM with --eeprom, the rest left out. */
export interface FlashSelection {
  flash: Segment[];
  eeprom: Segment[];
  /** Memories the image also holds that are not taken, with their byte counts (for a note). */
  ignored: { memory: AvrMemoryName; bytes: number }[];
}

/**
 * The memory selection of `ltobms flash` (and `verify`): the image's flash data, its EEPROM data
 * only with `withEeprom`; fuses, lock and user row have their own commands. No data to take is a
 * usage error that says what the file holds instead.
 */
export function selectFlashMemories(image: ProgramImage, withEeprom: boolean): FlashSelection {
  const flash = image.memories.flash;
  const eeprom = withEeprom ? image.memories.eeprom : [];
  if (!flash.length && !eeprom.length) {
    throw new UsageError(`${image.source} has no flash data${image.memories.eeprom.length ? ' (it has EEPROM data: add --eeprom)' : ''}`, { code: 'IMAGE_EMPTY' });
  }
  const ignored = (['eeprom', 'fuses', 'lock', 'userrow'] as const)
    .filter((m) => image.memories[m].length && !(m === 'eeprom' && withEeprom))
    .map((m) => ({ memory: m, bytes: image.memories[m].reduce((n, s) => n + s.data.length, 0) }));
  return { flash, eeprom, ignored };
}

/** The note for a memory the selection left out: "note: x.hex also has 32 B of userrow data; not written (…)". */
export function ignoredNote(source: string, ignored: FlashSelection['ignored'][number], verb: 'written' | 'compared'): string {
  const how: Partial<Record<AvrMemoryName, string>> = { eeprom: 'add --eeprom', fuses: 'use `ltobms fuses`', userrow: 'use `ltobms write userrow`', lock: 'use `ltobms lock`' };
  const fix = how[ignored.memory];
  return `note: ${source} also has ${ignored.bytes} B of ${ignored.memory} data; not ${verb}${fix ? ` (${fix})` : ''}`;
}
