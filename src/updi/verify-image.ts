/**
 * Compare-only verification (`ltobms verify`): reads back the bytes an image covers and compares
 * them, writing nothing. Every byte is compared (not only up to the first difference), so the
 * result says how many differ as well as where the first one is. Only the image's own bytes count:
 * the rest of a page it touches is whatever the part holds.
 */
import type { Segment } from '../image/ihex.js';
import type { DeviceInfo } from '../part/tinyavr2.js';
import type { Mismatch } from './compare.js';
import { memoryWindow, type Programmer } from './program.js';
import { planProgram } from './plan.js';

export interface MemoryComparison {
  memory: 'flash' | 'eeprom';
  /** Bytes of the image in this memory (all compared). */
  bytes: number;
  differing: number;
  first: Mismatch | null;
}

export interface ImageComparison {
  memories: MemoryComparison[];
  /** Bytes compared in all memories. */
  bytes: number;
  differing: number;
  /** The first differing byte (flash before EEPROM, then by address), or null on a match. */
  first: Mismatch | null;
}

/** Runs of touched bytes of a memory image, joined where segments meet or overlap (fewer reads). */
function ranges(segments: readonly Segment[]): { offset: number; data: Uint8Array }[] {
  const sorted = [...segments].sort((a, b) => a.address - b.address);
  const out: { offset: number; data: Uint8Array }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.address <= last.offset + last.data.length) {
      const end = Math.max(last.offset + last.data.length, s.address + s.data.length);
      const joined = new Uint8Array(end - last.offset);
      joined.set(last.data);
      joined.set(s.data, s.address - last.offset);
      out[out.length - 1] = { offset: last.offset, data: joined };
    } else out.push({ offset: s.address, data: s.data });
  }
  return out;
}

/**
 * Compares an image's flash and EEPROM bytes with the part. The planner checks first that they fit
 * the part (the same refusal `flash` gives); nothing is written.
 */
export async function compareImage(p: Programmer, device: DeviceInfo, input: { flash: readonly Segment[]; eeprom: readonly Segment[] }): Promise<ImageComparison> {
  planProgram(input, device);
  const memories: MemoryComparison[] = [];
  for (const memory of ['flash', 'eeprom'] as const) {
    const segments = input[memory];
    if (!segments.length) continue;
    const base = memoryWindow(device, memory).address;
    const result: MemoryComparison = { memory, bytes: 0, differing: 0, first: null };
    for (const r of ranges(segments)) {
      const got = await p.readMemory(device, memory, r.offset, r.data.length);
      result.bytes += r.data.length;
      for (let i = 0; i < r.data.length; i++) {
        if (got[i] === r.data[i]) continue;
        result.differing++;
        result.first ??= { memory, offset: r.offset + i, address: base + r.offset + i, expected: r.data[i]!, actual: got[i]! };
      }
    }
    memories.push(result);
  }
  return {
    memories,
    bytes: memories.reduce((n, m) => n + m.bytes, 0),
    differing: memories.reduce((n, m) => n + m.differing, 0),
    first: memories.find((m) => m.first)?.first ?? null,
  };
}
