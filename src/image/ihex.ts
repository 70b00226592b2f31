/**
 * Intel HEX in and out, with the AVR multi-memory address convention.
 *
 * Parsing and formatting use nrf-intel-hex, which keeps a sparse map of blocks (so an image
 * at 0x810000 costs 20 bytes, not 8 MB of padding). This module adds the AVR view on top:
 * which memory (flash, EEPROM, fuses, lock, signature row, user row) each block belongs to.
 */
import { createRequire } from 'node:module';
import type nrfIntelHex from 'nrf-intel-hex';
import { UsageError } from '../errors.js';

type MemoryMapClass = typeof nrfIntelHex.default;
let memoryMapClass: MemoryMapClass | undefined;

/**
 * nrf-intel-hex's MemoryMap, required on first use: a command that never reads or writes a hex
 * file (most runs of `ltobms eeprom`) does not pay for loading it. The package ships CommonJS with
 * an ES-style `export default` declaration; at run time the module is the class itself.
 */
function MemoryMap(): MemoryMapClass {
  memoryMapClass ??= createRequire(import.meta.url)('nrf-intel-hex') as MemoryMapClass;
  return memoryMapClass;
}

/** A contiguous run of bytes at an absolute (hex-file) address. */
export interface Segment {
  address: number;
  data: Uint8Array;
}

/** Base addresses of each memory in avr-gcc / avrdude / pymcuprog hex and ELF files. */
export const AVR_HEX_BASE = {
  flash: 0x000000,
  eeprom: 0x810000,
  fuses: 0x820000,
  lock: 0x830000,
  sigrow: 0x840000,
  userrow: 0x850000,
} as const;
export type AvrMemoryName = keyof typeof AVR_HEX_BASE;

/** Largest window each memory may occupy in a file (the tinyAVR family maxima). */
const WINDOW: Record<AvrMemoryName, number> = {
  flash: 0x800000,
  eeprom: 0x10000,
  fuses: 0x10000,
  lock: 0x10000,
  sigrow: 0x10000,
  userrow: 0x10000,
};

/** Parses Intel HEX text into sorted, merged segments. Malformed input → UsageError (exit 2). */
export function parseIntelHex(text: string, source = 'hex file'): Segment[] {
  let map: Map<number, Uint8Array>;
  try {
    map = MemoryMap().fromHex(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${source} is not valid Intel HEX (${why.replace(/\.$/, '')})`, {
      code: 'HEX_MALFORMED',
      hint: 'regenerate the file with avr-objcopy -O ihex, or check that it was not truncated',
    });
  }
  const segments = [...map.entries()]
    .map(([address, data]) => ({ address, data: new Uint8Array(data) }))
    .sort((a, b) => a.address - b.address);
  if (segments.length === 0) {
    throw new UsageError(`${source} contains no data records`, { code: 'HEX_EMPTY' });
  }
  return segments;
}

/** Formats segments as Intel HEX (16 data bytes per record, extended linear address records). */
export function formatIntelHex(segments: readonly Segment[]): string {
  const map = new (MemoryMap())();
  for (const s of segments) map.set(s.address, s.data);
  return map.asHexString() + '\n';
}

/** Splits absolute segments into per-memory segments with memory-relative addresses. */
export function splitAvrMemories(segments: readonly Segment[], source = 'hex file'): Record<AvrMemoryName, Segment[]> {
  const out: Record<AvrMemoryName, Segment[]> = {
    flash: [],
    eeprom: [],
    fuses: [],
    lock: [],
    sigrow: [],
    userrow: [],
  };
  for (const seg of segments) {
    const name = memoryAt(seg.address);
    const end = seg.address + seg.data.length;
    if (!name || end > AVR_HEX_BASE[name] + WINDOW[name]) {
      throw new UsageError(
        `${source} has data at 0x${seg.address.toString(16)}, outside every AVR memory segment`,
        { code: 'HEX_ADDRESS', hint: 'flash starts at 0, EEPROM at 0x810000, fuses at 0x820000, user row at 0x850000' },
      );
    }
    out[name].push({ address: seg.address - AVR_HEX_BASE[name], data: seg.data });
  }
  return out;
}

function memoryAt(address: number): AvrMemoryName | undefined {
  for (const name of Object.keys(AVR_HEX_BASE) as AvrMemoryName[]) {
    const base = AVR_HEX_BASE[name];
    if (address >= base && address < base + WINDOW[name]) return name;
  }
  return undefined;
}

/** Lays segments into one buffer of `size` bytes filled with `fill` (0xFF = erased flash). */
export function toFlatImage(segments: readonly Segment[], size: number, fill = 0xff, what = 'image'): Uint8Array {
  const out = new Uint8Array(size).fill(fill);
  for (const s of segments) {
    if (s.address < 0 || s.address + s.data.length > size) {
      throw new UsageError(
        `${what} does not fit: data at 0x${s.address.toString(16)}..0x${(s.address + s.data.length - 1).toString(16)} exceeds ${size} bytes`,
        { code: 'IMAGE_TOO_LARGE' },
      );
    }
    out.set(s.data, s.address);
  }
  return out;
}
