/**
 * Just enough of ELF32 (little-endian, as avr-gcc writes it) to size a firmware image:
 * section headers with their names, addresses and sizes, and the symbol table. No tool is run,
 * so a no-op rebuild can still print its size table without spawning anything.
 */
import { readFile } from 'node:fs/promises';
import { LtobmsError } from '../errors.js';

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  /** Virtual (run-time) address. */
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** Section header index (0 = undefined, 0xfff1 = absolute). */
  shndx: number;
}

export interface ElfFile {
  machine: number;
  entry: number;
  sections: ElfSection[];
  symbols: ElfSymbol[];
}

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHF_ALLOC = 0x2;
/** e_machine of Atmel AVR. */
export const EM_AVR = 83;

function cstring(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 ? buf.length : end);
}

/** Parses an ELF32 little-endian image. */
export function parseElf(buf: Buffer, source = 'ELF file'): ElfFile {
  const bad = (why: string) => new LtobmsError(`${source} is not a usable ELF file: ${why}`, { code: 'ELF_INVALID' });
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) throw bad('no ELF magic');
  if (buf[4] !== 1 || buf[5] !== 1) throw bad('not 32-bit little-endian');
  const machine = buf.readUInt16LE(18);
  const entry = buf.readUInt32LE(24);
  const shoff = buf.readUInt32LE(32);
  const shentsize = buf.readUInt16LE(46);
  const shnum = buf.readUInt16LE(48);
  const shstrndx = buf.readUInt16LE(50);
  if (shoff + shnum * shentsize > buf.length || shstrndx >= shnum) throw bad('section headers out of range');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOff: buf.readUInt32LE(at),
      type: buf.readUInt32LE(at + 4),
      flags: buf.readUInt32LE(at + 8),
      addr: buf.readUInt32LE(at + 12),
      offset: buf.readUInt32LE(at + 16),
      size: buf.readUInt32LE(at + 20),
      link: buf.readUInt32LE(at + 24),
      entsize: buf.readUInt32LE(at + 36),
    };
  });
  const names = raw[shstrndx].offset;
  const sections = raw.map((s) => ({
    name: cstring(buf, names + s.nameOff),
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
  }));
  const symbols: ElfSymbol[] = [];
  const symtab = raw.find((s) => s.type === SHT_SYMTAB);
  if (symtab && symtab.entsize >= 16) {
    const strings = raw[symtab.link].offset;
    for (let at = symtab.offset; at + 16 <= symtab.offset + symtab.size; at += symtab.entsize) {
      symbols.push({
        name: cstring(buf, strings + buf.readUInt32LE(at)),
        value: buf.readUInt32LE(at + 4),
        size: buf.readUInt32LE(at + 8),
        shndx: buf.readUInt16LE(at + 14),
      });
    }
  }
  return { machine, entry, sections, symbols };
}

export async function readElf(path: string): Promise<ElfFile> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new LtobmsError(`cannot read ${path}: ${(err as Error).message}`, { code: 'ELF_READ', cause: err });
  }
  return parseElf(buf, path);
}

/** Memory use of an AVR program, by the sections that occupy each memory. */
export interface MemoryUse {
  /** Flash bytes: .text + .rodata + .data initialisers. */
  flash: number;
  /** Static RAM bytes: .data + .bss + .noinit (the stack comes on top). */
  ram: number;
  /** EEPROM bytes: .eeprom. */
  eeprom: number;
  sections: Record<string, number>;
}

const FLASH = ['.text', '.rodata', '.data'];
const RAM = ['.data', '.bss', '.noinit'];
const EEPROM = ['.eeprom'];

export function memoryUse(elf: ElfFile): MemoryUse {
  const sections: Record<string, number> = {};
  for (const s of elf.sections) if (s.flags & SHF_ALLOC) sections[s.name] = s.size;
  const sum = (names: string[]) => names.reduce((n, name) => n + (sections[name] ?? 0), 0);
  return { flash: sum(FLASH), ram: sum(RAM), eeprom: sum(EEPROM), sections };
}
