/**
 * The data space as seen through the NVM: small region objects (one per window of the memory
 * map) and a {@link NvmDataSpace} that routes addresses to them.
 *
 * The UPDI target uses `NvmDataSpace.updiView()` — what a programmer reaches while the CPU is held
 * in reset. The CPU emulator builds its own full data space and mounts the same region classes
 * (constructed with accessor 'cpu') at the same addresses.
 *
 * Addresses: ATTINY824_FACTS.md §1.1 (SIGROW 0x1100, FUSES 0x1280–0x1289, LOCKBIT 0x128A,
 * USERROW 0x1300, EEPROM 0x1400, mapped flash 0x8000–0x9FFF, NVMCTRL 0x1000, SYSCFG.REVID 0x0F01).
 */
import { NVM_ADDR, NvmMemories } from './memories.js';
import { NVMCTRL_SIZE, Nvmctrl, type NvmAccessor } from './nvmctrl.js';

/** Byte-wide access to a 64 KB data space. */
export interface DataSpace {
  read(addr: number): number;
  write(addr: number, value: number): void;
}

/** One window of the memory map; offsets are relative to `start`. */
export interface DataRegion {
  readonly name: string;
  readonly start: number;
  readonly size: number;
  read(offset: number): number;
  write(offset: number, value: number): void;
}

/** A read-only view of one NVM array (signature row, fuses, lock bits). Writes are ignored. */
export class ReadOnlyRegion implements DataRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    private readonly bytes: Uint8Array,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number): number {
    return this.bytes[offset];
  }

  write(): void {
    // Fuses and lock bits change only through NVMCTRL WFU; the signature row never.
  }
}

/** A mapped NVM array (flash, EEPROM, user row): reads the array, writes load the page buffer. */
export class NvmWindowRegion implements DataRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    private readonly bytes: Uint8Array,
    private readonly nvmctrl: Nvmctrl,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number): number {
    return this.bytes[offset];
  }

  write(offset: number, value: number): void {
    this.nvmctrl.loadPageBuffer(this.start + offset, value);
  }
}

/** The NVMCTRL register block; the accessor decides which commands are legal (WFU: UPDI only). */
export class NvmctrlRegion implements DataRegion {
  readonly name = 'NVMCTRL';
  readonly start = NVM_ADDR.nvmctrl;
  readonly size = NVMCTRL_SIZE;

  constructor(
    private readonly nvmctrl: Nvmctrl,
    private readonly accessor: NvmAccessor,
  ) {}

  read(offset: number): number {
    return this.nvmctrl.readRegister(offset);
  }

  write(offset: number, value: number): void {
    this.nvmctrl.writeRegister(offset, value, this.accessor);
  }
}

export const SYSCFG_BASE = 0x0f00;
/** SYSCFG.REVID for silicon revision B (0x00 = A, 0x01 = B). */
export const REVID_B = 0x01;

/** SYSCFG: REVID at +1 (read-only); the other registers read 0 and ignore writes here. */
export class SyscfgRegion implements DataRegion {
  readonly name = 'SYSCFG';
  readonly start = SYSCFG_BASE;
  readonly size = 0x20;

  constructor(private readonly revid = REVID_B) {}

  read(offset: number): number {
    return offset === 1 ? this.revid : 0;
  }

  write(): void {}
}

/** The standard NVM regions of an ATtiny824, for a given accessor. */
export function nvmRegions(
  memories: NvmMemories,
  nvmctrl: Nvmctrl,
  accessor: NvmAccessor,
): DataRegion[] {
  return [
    new NvmctrlRegion(nvmctrl, accessor),
    new ReadOnlyRegion('SIGROW', NVM_ADDR.sigrow, memories.sigrow),
    new ReadOnlyRegion('FUSES', NVM_ADDR.fuses, memories.fuses),
    new ReadOnlyRegion('LOCKBIT', NVM_ADDR.lockbits, memories.lockbits),
    new NvmWindowRegion('USERROW', NVM_ADDR.userrow, memories.userrow, nvmctrl),
    new NvmWindowRegion('EEPROM', NVM_ADDR.eeprom, memories.eeprom, nvmctrl),
    new NvmWindowRegion('FLASH', NVM_ADDR.flash, memories.flash, nvmctrl),
  ];
}

/**
 * A data space assembled from regions. Addresses outside every region read 0 and ignore writes;
 * both are counted (`unmappedReads`, `unmappedWrites`) so tests and traces can see them.
 */
export class NvmDataSpace implements DataSpace {
  unmappedReads = 0;
  unmappedWrites = 0;
  private readonly regions: DataRegion[];
  private last: DataRegion | undefined;

  constructor(regions: DataRegion[]) {
    this.regions = [...regions].sort((a, b) => a.start - b.start);
    for (let i = 1; i < this.regions.length; i++) {
      const prev = this.regions[i - 1];
      if (prev.start + prev.size > this.regions[i].start) {
        throw new Error(`data space regions ${prev.name} and ${this.regions[i].name} overlap`);
      }
    }
  }

  /** What the UPDI reaches while the CPU is held in reset: the NVM windows, NVMCTRL and SYSCFG. */
  static updiView(memories: NvmMemories, nvmctrl: Nvmctrl, revid = REVID_B): NvmDataSpace {
    return new NvmDataSpace([...nvmRegions(memories, nvmctrl, 'updi'), new SyscfgRegion(revid)]);
  }

  /** The region holding an address, if any. */
  regionAt(addr: number): DataRegion | undefined {
    const last = this.last;
    if (last && addr >= last.start && addr < last.start + last.size) return last;
    for (const r of this.regions) {
      if (addr >= r.start && addr < r.start + r.size) {
        this.last = r;
        return r;
      }
    }
    return undefined;
  }

  read(addr: number): number {
    const r = this.regionAt(addr & 0xffff);
    if (!r) {
      this.unmappedReads++;
      return 0;
    }
    return r.read((addr & 0xffff) - r.start);
  }

  write(addr: number, value: number): void {
    const r = this.regionAt(addr & 0xffff);
    if (!r) {
      this.unmappedWrites++;
      return;
    }
    r.write((addr & 0xffff) - r.start, value & 0xff);
  }
}
