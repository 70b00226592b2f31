/**
 * The pure planner: an image (per-memory segments) and a device become the list of NVM operations
 * to run and the ranges to verify. No I/O; tested by comparing whole plans.
 *
 * Flash is written in whole pages (bytes of a touched page that the image does not cover become
 * 0xFF), with WP after a chip erase and ERWP (erase-write) otherwise. EEPROM is byte-granular on
 * tinyAVR (only loaded bytes are erased and written), so exactly the image's bytes are written,
 * split at page boundaries. Fuses are written one byte at a time; reserved fuse bytes are skipped.
 */
import type { Segment } from '../image/ihex.js';
import { UsageError } from '../errors.js';
import { NVM_CMD } from './constants.js';
import { FUSE, FUSE_NAMES, RESERVED_FUSES, rstPinCfg } from '../part/fuses.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import type { PageWrite } from './nvm.js';
import { hex } from '../util/hex.js';

export type PlanMemory = 'flash' | 'eeprom' | 'userrow' | 'fuses';
/** The memories written through the page buffer. */
export type PagedMemory = 'flash' | 'eeprom' | 'userrow';

export interface PlannedPage {
  memory: PagedMemory;
  /** Offset inside the memory. */
  offset: number;
  write: PageWrite;
}

export interface PlannedFuse {
  index: number;
  name: string;
  address: number;
  value: number;
}

export interface VerifyRange {
  memory: PlanMemory;
  offset: number;
  /** Data-space address. */
  address: number;
  expected: Uint8Array;
}

export interface ProgramPlan {
  device: string;
  chipErase: boolean;
  pages: PlannedPage[];
  fuses: PlannedFuse[];
  /** Fuse bytes in the image that are not written (reserved), with their values. */
  skippedFuses: { index: number; value: number }[];
  verify: VerifyRange[];
  bytes: Record<PlanMemory, number>;
}

export interface PlanInput {
  flash?: readonly Segment[];
  eeprom?: readonly Segment[];
  /** User row (USERROW) bytes, offsets from its start. */
  userrow?: readonly Segment[];
  fuses?: readonly Segment[];
}

export interface PlanOptions {
  /** A chip erase runs first (flash pages then use WP). */
  chipErase?: boolean;
  /** Allow fuse values that take the UPDI pin away. */
  force?: boolean;
}

export function planProgram(input: PlanInput, device: DeviceInfo, options: PlanOptions = {}): ProgramPlan {
  const chipErase = options.chipErase ?? false;
  const plan: ProgramPlan = {
    device: device.name,
    chipErase,
    pages: [],
    fuses: [],
    skippedFuses: [],
    verify: [],
    bytes: { flash: 0, eeprom: 0, userrow: 0, fuses: 0 },
  };
  if (input.flash?.length) planFlash(plan, input.flash, device, chipErase);
  if (input.eeprom?.length) planByteGranular(plan, 'eeprom', input.eeprom, { name: 'EEPROM', base: device.eepromBase, size: device.eepromSize, pageSize: device.eepromPageSize }, device);
  if (input.userrow?.length) planByteGranular(plan, 'userrow', input.userrow, { name: 'user row', base: device.userRowBase, size: device.userRowSize, pageSize: device.userRowSize }, device);
  if (input.fuses?.length) planFuses(plan, input.fuses, device, options.force ?? false);
  return plan;
}

function planFlash(plan: ProgramPlan, segments: readonly Segment[], device: DeviceInfo, erased: boolean): void {
  const flat = layOut(segments, device.flashSize, 'flash', device);
  const pageSize = device.flashPageSize;
  for (let page = 0; page < device.flashSize; page += pageSize) {
    if (!flat.touched.subarray(page, page + pageSize).some(Boolean)) continue;
    const data = flat.bytes.slice(page, page + pageSize);
    plan.verify.push({ memory: 'flash', offset: page, address: device.flashBase + page, expected: data });
    // An erased page already reads 0xFF: nothing to write.
    if (erased && data.every((b) => b === 0xff)) continue;
    plan.pages.push({
      memory: 'flash',
      offset: page,
      write: { address: device.flashBase + page, data, unit: 2, command: erased ? NVM_CMD.WP : NVM_CMD.ERWP },
    });
    plan.bytes.flash += data.length;
  }
  plan.verify = mergeRanges(plan.verify);
}

/**
 * EEPROM and user row: byte-granular on tinyAVR (only loaded bytes are erased and written), so
 * exactly the image's bytes are written, split at page boundaries (the user row is one page).
 */
function planByteGranular(
  plan: ProgramPlan,
  memory: 'eeprom' | 'userrow',
  segments: readonly Segment[],
  window: { name: string; base: number; size: number; pageSize: number },
  device: DeviceInfo,
): void {
  const flat = layOut(segments, window.size, window.name, device);
  const verify: VerifyRange[] = [];
  for (const [start, end] of runs(flat.touched)) {
    for (let a = start; a < end; ) {
      const stop = Math.min(end, (Math.floor(a / window.pageSize) + 1) * window.pageSize);
      const data = flat.bytes.slice(a, stop);
      plan.pages.push({ memory, offset: a, write: { address: window.base + a, data, unit: 1, command: NVM_CMD.ERWP } });
      plan.bytes[memory] += data.length;
      a = stop;
    }
    verify.push({ memory, offset: start, address: window.base + start, expected: flat.bytes.slice(start, end) });
  }
  plan.verify.push(...verify);
}

function planFuses(plan: ProgramPlan, segments: readonly Segment[], device: DeviceInfo, force: boolean): void {
  // avr-libc's FUSES block is 10 bytes on the 2-series (9 named + 1 reserved); accept it, skip reserved bytes.
  const flat = layOut(segments, device.fuseCount + 1, 'fuse', device);
  for (let i = 0; i < flat.bytes.length; i++) {
    if (!flat.touched[i]) continue;
    const value = flat.bytes[i]!;
    if (RESERVED_FUSES.includes(i) || i >= device.fuseCount) {
      plan.skippedFuses.push({ index: i, value });
      continue;
    }
    if (i === FUSE.SYSCFG0 && rstPinCfg(value) !== 'UPDI' && !force) {
      throw new UsageError(
        `refusing to write SYSCFG0 = ${hex(value, 2)}: RSTPINCFG = ${rstPinCfg(value)} turns the UPDI pin into ${rstPinCfg(value) === 'GPIO' ? 'a GPIO' : 'a reset pin'}, and this programmer could not reach the part again`,
        { code: 'FUSE_UPDI_LOCKOUT', hint: 'keep SYSCFG0 bits 3:2 = 01 (UPDI); pass --force only if you can recover with a high-voltage UPDI programmer' },
      );
    }
    plan.fuses.push({ index: i, name: FUSE_NAMES[i]!, address: device.fuseBase + i, value });
    plan.verify.push({ memory: 'fuses', offset: i, address: device.fuseBase + i, expected: Uint8Array.of(value) });
    plan.bytes.fuses += 1;
  }
}

/** Lays segments into a buffer (0xFF elsewhere) and marks which bytes the image covers. */
function layOut(segments: readonly Segment[], size: number, what: string, device: DeviceInfo): { bytes: Uint8Array; touched: Uint8Array } {
  const bytes = new Uint8Array(size).fill(0xff);
  const touched = new Uint8Array(size);
  for (const s of segments) {
    const end = s.address + s.data.length;
    if (s.address < 0 || end > size) {
      throw new UsageError(`the ${what} image does not fit the ${device.name}: data at ${hex(s.address)}..${hex(end - 1)}, but its ${what} has ${size} bytes`, {
        code: 'IMAGE_TOO_LARGE',
        hint: `build the image for the ${device.name}, or check that the file is the one you meant`,
      });
    }
    bytes.set(s.data, s.address);
    touched.fill(1, s.address, end);
  }
  return { bytes, touched };
}

/** [start, end) runs of set bytes. */
function runs(mask: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < mask.length; ) {
    if (!mask[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < mask.length && mask[i]) i++;
    out.push([start, i]);
  }
  return out;
}

/** Joins verify ranges that follow each other in the same memory (fewer, longer reads). */
export function mergeRanges(ranges: readonly VerifyRange[]): VerifyRange[] {
  const out: VerifyRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.memory === r.memory && last.address + last.expected.length === r.address) {
      const joined = new Uint8Array(last.expected.length + r.expected.length);
      joined.set(last.expected);
      joined.set(r.expected, last.expected.length);
      out[out.length - 1] = { ...last, expected: joined };
    } else out.push(r);
  }
  return out;
}
