/**
 * AVR ELF files as programming images: every allocated section with contents, at its load address
 * (LMA), as absolute segments in the same address convention as Intel HEX (flash 0, EEPROM
 * 0x810000, fuses 0x820000, lock 0x830000, signature 0x840000, user row 0x850000), so
 * `splitAvrMemories` sorts them like a hex file. This is what `avr-objcopy -O ihex` would emit.
 *
 * Sections come from src/firmware/elf.ts; the load addresses come from the program headers here
 * (`.data` runs at 0x80xxxx but is stored in flash right after `.text`).
 */
import { readFile } from 'node:fs/promises';
import { EM_AVR, SHF_ALLOC, SHT_NOBITS, parseElf } from '../firmware/elf.js';
import { UsageError } from '../errors.js';
import type { Segment } from './ihex.js';

const PT_LOAD = 1;
/** e_flags & EF_AVR_MACH: the avr-gcc architecture the file was built for. */
const EF_AVR_MACH = 0x7f;
/** The AVRxt core of the tinyAVR 0/1/2 series. */
export const AVR_ARCH_XMEGA3 = 103;

export interface AvrElfImage {
  segments: Segment[];
  /** avr-gcc architecture number (103 = avrxmega3, 5 = avr5 …). */
  arch: number;
  /** Bytes of the `.signature` section (avr/signature.h), if present. */
  signature: Uint8Array | undefined;
  /** Section name → LMA and size, for messages. */
  sections: { name: string; lma: number; size: number }[];
}

interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
}

function programHeaders(buf: Buffer): ProgramHeader[] {
  const phoff = buf.readUInt32LE(28);
  const phentsize = buf.readUInt16LE(42);
  const phnum = buf.readUInt16LE(44);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 32 > buf.length) break;
    out.push({
      type: buf.readUInt32LE(at),
      offset: buf.readUInt32LE(at + 4),
      vaddr: buf.readUInt32LE(at + 8),
      paddr: buf.readUInt32LE(at + 12),
      filesz: buf.readUInt32LE(at + 16),
    });
  }
  return out;
}

/** True if the bytes start with the ELF magic. */
export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** Parses an AVR ELF executable into load-address segments. Bad input → UsageError (exit 2). */
export function parseAvrElf(buf: Buffer, source = 'ELF file'): AvrElfImage {
  let elf;
  try {
    elf = parseElf(buf, source);
  } catch (err) {
    throw new UsageError((err as Error).message, { code: 'ELF_INVALID', hint: 'pass the .elf that avr-gcc linked, or its .hex' });
  }
  if (elf.machine !== EM_AVR) {
    throw new UsageError(`${source} is not an AVR program (ELF machine ${elf.machine})`, { code: 'ELF_NOT_AVR' });
  }
  const loads = programHeaders(buf).filter((p) => p.type === PT_LOAD && p.filesz > 0);
  const segments: Segment[] = [];
  const sections: AvrElfImage['sections'] = [];
  let signature: Uint8Array | undefined;
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || s.type === SHT_NOBITS || s.size === 0) continue;
    if (s.offset + s.size > buf.length) throw new UsageError(`${source}: section ${s.name} lies outside the file`, { code: 'ELF_INVALID' });
    // LMA = where the containing load segment is stored + the section's place inside it.
    const seg = loads.find((p) => s.offset >= p.offset && s.offset + s.size <= p.offset + p.filesz);
    const lma = seg ? seg.paddr + (s.offset - seg.offset) : s.addr;
    const data = new Uint8Array(buf.subarray(s.offset, s.offset + s.size));
    segments.push({ address: lma, data });
    sections.push({ name: s.name, lma, size: s.size });
    if (s.name === '.signature') signature = data;
  }
  if (segments.length === 0) throw new UsageError(`${source} has no loadable sections`, { code: 'ELF_EMPTY' });
  const arch = buf.readUInt32LE(36) & EF_AVR_MACH;
  return { segments: mergeSegments(segments), arch, signature, sections };
}

export async function readAvrElf(path: string): Promise<AvrElfImage> {
  return parseAvrElf(await readFile(path), path);
}

/** Sorts segments and joins those that touch (as a hex file would describe them). */
function mergeSegments(segments: Segment[]): Segment[] {
  const sorted = [...segments].sort((a, b) => a.address - b.address);
  const out: Segment[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.address + last.data.length === s.address) {
      const joined = new Uint8Array(last.data.length + s.data.length);
      joined.set(last.data);
      joined.set(s.data, last.data.length);
      out[out.length - 1] = { address: last.address, data: joined };
    } else if (last && last.address + last.data.length > s.address) {
      throw new UsageError(`ELF sections overlap at load address 0x${s.address.toString(16)}`, { code: 'ELF_INVALID' });
    } else out.push(s);
  }
  return out;
}
