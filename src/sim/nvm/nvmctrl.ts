/**
 * NVMCTRL, the tinyAVR 2-series nonvolatile memory controller at 0x1000.
 *
 * Semantics (ATtiny3224/824 data sheets, NVMCTRL chapter; ATTINY824_FACTS.md §2.10):
 * - One page buffer (one flash page, 64 bytes) serves flash, EEPROM and user row. It is loaded by
 *   data-space writes into the mapped windows; a write ANDs into the buffer, and it reads as all
 *   ones after a reset, a page buffer clear and every page write or erase. NVMCTRL.ADDR follows the
 *   last loaded address, and ADDR selects the memory and page a command acts on.
 * - Flash commands act on the whole page: WP ANDs the buffer into the page (bits only go 1 → 0, so
 *   a page must be erased first), ER erases it, ERWP does both.
 * - EEPROM and user row are byte-granular: only bytes loaded since the last clear are erased or
 *   written; the rest of the page is untouched.
 * - CHER erases flash and EEPROM (EEPROM kept when FUSE.SYSCFG0.EESAVE is set; the user row is
 *   never touched) and clears the lock bits; EEER erases the EEPROM; WFU writes NVMCTRL.DATAL to
 *   the fuse or lock byte at NVMCTRL.ADDR and is only accepted from the UPDI.
 * - WRERROR reports the last operation: an illegal command, a buffer loaded for two memories, an
 *   address outside every memory, or a command / buffer load while the controller is busy (the data
 *   sheet requires FBUSY and EEBUSY clear first; a CPU is halted until then instead — the CPU model
 *   must wait for {@link Nvmctrl.readyAt} before calling in).
 * - Durations are the data sheet's typical programming times (page write 2 ms, erase 2 ms,
 *   erase-write 4 ms, chip erase 4 ms, EEPROM erase 4 ms); memory contents change at once and
 *   STATUS shows busy until the time has passed on the injected clock.
 *
 * Who may write CTRLA is the caller's business: the CPU side enforces CCP (0x9D) and calls
 * `writeRegister(..., 'cpu')`; the UPDI front end calls it with 'updi'.
 */
import {
  EEPROM_PAGE_SIZE,
  EEPROM_SIZE,
  FLASH_PAGE_SIZE,
  FLASH_SIZE,
  FUSES_SIZE,
  LOCK_UNLOCKED,
  NVM_ADDR,
  NvmMemories,
  USERROW_SIZE,
} from './memories.js';

/** Time source, in seconds (wall time for the UPDI target, CPU cycles / f_CPU for the emulator). */
export interface NvmClock {
  now(): number;
}

/** Who accesses the controller: only the UPDI may write fuses. */
export type NvmAccessor = 'updi' | 'cpu';

export const NVMCTRL_REG = {
  CTRLA: 0x00,
  CTRLB: 0x01,
  STATUS: 0x02,
  INTCTRL: 0x03,
  INTFLAGS: 0x04,
  DATAL: 0x06,
  DATAH: 0x07,
  ADDRL: 0x08,
  ADDRH: 0x09,
} as const;
/** Size of the NVMCTRL register block in the data space. */
export const NVMCTRL_SIZE = 0x10;

export const NVM_CMD = { NONE: 0, WP: 1, ER: 2, ERWP: 3, PBC: 4, CHER: 5, EEER: 6, WFU: 7 } as const;
export const NVM_CMD_NAMES = ['NONE', 'WP', 'ER', 'ERWP', 'PBC', 'CHER', 'EEER', 'WFU'] as const;
export type NvmCommandName = (typeof NVM_CMD_NAMES)[number];

export const NVM_STATUS = { FBUSY: 0x01, EEBUSY: 0x02, WRERROR: 0x04 } as const;
export const NVM_INT_EEREADY = 0x01;
/** CTRLB bits (only stored: boot/application write protection concerns self-programming). */
export const NVM_CTRLB = { APCWP: 0x01, BOOTLOCK: 0x02 } as const;

/** Operation durations in seconds. */
export interface NvmTimings {
  pageWrite: number;
  pageErase: number;
  pageEraseWrite: number;
  chipErase: number;
  eepromErase: number;
  fuseWrite: number;
}

/** Typical programming times from the tinyAVR data sheets' "Programming Time" table. */
export const DATASHEET_NVM_TIMINGS: Readonly<NvmTimings> = {
  pageWrite: 0.002,
  pageErase: 0.002,
  pageEraseWrite: 0.004,
  chipErase: 0.004,
  eepromErase: 0.004,
  // Not in the table; a fuse is an EEPROM-type cell written with an erase-write.
  fuseWrite: 0.004,
};

/** A memory that the page buffer can be loaded for. */
export type NvmSection = 'flash' | 'eeprom' | 'userrow';

interface SectionWindow {
  start: number;
  size: number;
  pageSize: number;
}

const SECTION_WINDOWS: Record<NvmSection, SectionWindow> = {
  flash: { start: NVM_ADDR.flash, size: FLASH_SIZE, pageSize: FLASH_PAGE_SIZE },
  eeprom: { start: NVM_ADDR.eeprom, size: EEPROM_SIZE, pageSize: EEPROM_PAGE_SIZE },
  userrow: { start: NVM_ADDR.userrow, size: USERROW_SIZE, pageSize: USERROW_SIZE },
};

/** The memory whose window holds a data-space address, if any. */
export function sectionAt(address: number): NvmSection | undefined {
  for (const name of ['flash', 'eeprom', 'userrow'] as const) {
    const w = SECTION_WINDOWS[name];
    if (address >= w.start && address < w.start + w.size) return name;
  }
  return undefined;
}

/** What happened, for event logs and tests. */
export type NvmEvent =
  | { type: 'command'; command: NvmCommandName; accessor: NvmAccessor; address: number; ok: boolean; reason?: string }
  | { type: 'buffer-rejected'; address: number; reason: string };

export interface NvmctrlOptions {
  timings?: Partial<NvmTimings>;
  /** Called after every change of NVM contents (to mark a state file dirty). */
  onChange?: () => void;
  /** Called for every command and every rejected buffer load. */
  onEvent?: (event: NvmEvent) => void;
}

export class Nvmctrl {
  readonly timings: NvmTimings;
  /** Commands executed, by name, plus rejected operations under `rejected`. */
  readonly counts: Record<NvmCommandName | 'rejected', number>;

  private readonly pageBuffer = new Uint8Array(FLASH_PAGE_SIZE);
  private readonly loaded = new Uint8Array(FLASH_PAGE_SIZE);
  private readonly loadedSections = new Set<NvmSection>();
  private ctrla = 0;
  private ctrlb = 0;
  private intctrl = 0;
  private data = 0;
  private addr = 0;
  private wrerror = false;
  private flashBusyUntil = Number.NEGATIVE_INFINITY;
  private eepromBusyUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly memories: NvmMemories,
    private readonly clock: NvmClock,
    private readonly options: NvmctrlOptions = {},
  ) {
    this.timings = { ...DATASHEET_NVM_TIMINGS, ...options.timings };
    this.counts = { NONE: 0, WP: 0, ER: 0, ERWP: 0, PBC: 0, CHER: 0, EEER: 0, WFU: 0, rejected: 0 };
    this.clearPageBuffer();
  }

  /** Flash operation in progress. */
  get flashBusy(): boolean {
    return this.clock.now() < this.flashBusyUntil;
  }

  /** EEPROM, user row or fuse operation in progress. */
  get eepromBusy(): boolean {
    return this.clock.now() < this.eepromBusyUntil;
  }

  get busy(): boolean {
    return this.flashBusy || this.eepromBusy;
  }

  /** When the controller is (or was) last free, in clock seconds. */
  get readyAt(): number {
    return Math.max(this.flashBusyUntil, this.eepromBusyUntil);
  }

  /** When flash work finishes, in clock seconds. */
  get flashReadyAt(): number {
    return this.flashBusyUntil;
  }

  /** When EEPROM work finishes (the EEREADY interrupt source), in clock seconds. */
  get eepromReadyAt(): number {
    return this.eepromBusyUntil;
  }

  /** EEREADY is enabled and the EEPROM is not busy: the NVMCTRL_EE interrupt is requested. */
  get interruptPending(): boolean {
    return (this.intctrl & NVM_INT_EEREADY) !== 0 && !this.eepromBusy;
  }

  /** Device reset: registers to their reset values and the page buffer erased; running operations finish. */
  reset(): void {
    this.ctrla = 0;
    this.ctrlb = 0;
    this.intctrl = 0;
    this.data = 0;
    this.addr = 0;
    this.wrerror = false;
    this.clearPageBuffer();
  }

  readRegister(offset: number): number {
    switch (offset) {
      case NVMCTRL_REG.CTRLA:
        return this.ctrla;
      case NVMCTRL_REG.CTRLB:
        return this.ctrlb;
      case NVMCTRL_REG.STATUS:
        return (
          (this.flashBusy ? NVM_STATUS.FBUSY : 0) |
          (this.eepromBusy ? NVM_STATUS.EEBUSY : 0) |
          (this.wrerror ? NVM_STATUS.WRERROR : 0)
        );
      case NVMCTRL_REG.INTCTRL:
        return this.intctrl;
      case NVMCTRL_REG.INTFLAGS:
        // "Set continuously as long as the EEPROM is not busy."
        return this.eepromBusy ? 0 : NVM_INT_EEREADY;
      case NVMCTRL_REG.DATAL:
        return this.data & 0xff;
      case NVMCTRL_REG.DATAH:
        return this.data >> 8;
      case NVMCTRL_REG.ADDRL:
        return this.addr & 0xff;
      case NVMCTRL_REG.ADDRH:
        return this.addr >> 8;
      default:
        return 0;
    }
  }

  writeRegister(offset: number, value: number, accessor: NvmAccessor): void {
    value &= 0xff;
    switch (offset) {
      case NVMCTRL_REG.CTRLA:
        this.ctrla = value & 0x07;
        this.execute(this.ctrla, accessor);
        return;
      case NVMCTRL_REG.CTRLB:
        this.ctrlb = value & (NVM_CTRLB.APCWP | NVM_CTRLB.BOOTLOCK);
        return;
      case NVMCTRL_REG.INTCTRL:
        this.intctrl = value & NVM_INT_EEREADY;
        return;
      case NVMCTRL_REG.DATAL:
        this.data = (this.data & 0xff00) | value;
        return;
      case NVMCTRL_REG.DATAH:
        this.data = (this.data & 0x00ff) | (value << 8);
        return;
      case NVMCTRL_REG.ADDRL:
        this.addr = (this.addr & 0xff00) | value;
        return;
      case NVMCTRL_REG.ADDRH:
        this.addr = (this.addr & 0x00ff) | (value << 8);
        return;
      default:
        // STATUS and INTFLAGS: nothing to clear that would stay cleared; reserved: ignored.
        return;
    }
  }

  /**
   * A data-space write into the flash, EEPROM or user row window: loads the page buffer.
   * Returns false (and sets WRERROR) when the controller is busy or the address is in no window.
   */
  loadPageBuffer(address: number, value: number): boolean {
    const section = sectionAt(address);
    if (section === undefined) return this.rejectLoad(address, 'address is in no NVM window');
    if (this.busy) return this.rejectLoad(address, 'NVM controller busy');
    const w = SECTION_WINDOWS[section];
    const index = (address - w.start) & (w.pageSize - 1);
    this.pageBuffer[index] &= value & 0xff;
    this.loaded[index] = 1;
    this.loadedSections.add(section);
    this.addr = address;
    return true;
  }

  /** The page buffer contents (a copy), for tests and traces. */
  pageBufferSnapshot(): { data: Uint8Array; loaded: Uint8Array } {
    return { data: this.pageBuffer.slice(), loaded: this.loaded.slice() };
  }

  /**
   * Chip erase as the UPDI's CHIPERASE key performs it: flash erased, EEPROM erased unless
   * EESAVE, lock bits cleared, user row kept.
   */
  chipErase(): void {
    const m = this.memories;
    m.flash.fill(0xff);
    if (!m.eesave) m.eeprom.fill(0xff);
    m.lockbits[0] = LOCK_UNLOCKED;
    this.clearPageBuffer();
    const until = this.clock.now() + this.timings.chipErase;
    this.flashBusyUntil = until;
    this.eepromBusyUntil = until;
    this.options.onChange?.();
  }

  private rejectLoad(address: number, reason: string): false {
    this.wrerror = true;
    this.counts.rejected++;
    this.options.onEvent?.({ type: 'buffer-rejected', address, reason });
    return false;
  }

  private clearPageBuffer(): void {
    this.pageBuffer.fill(0xff);
    this.loaded.fill(0);
    this.loadedSections.clear();
  }

  private execute(cmd: number, accessor: NvmAccessor): void {
    const command = NVM_CMD_NAMES[cmd];
    if (command === 'NONE') return;
    const address = this.addr;
    const fail = (reason: string) => {
      this.wrerror = true;
      this.counts.rejected++;
      this.options.onEvent?.({ type: 'command', command, accessor, address, ok: false, reason });
    };
    if (this.busy) return fail('NVM controller busy');
    this.wrerror = false;

    switch (command) {
      case 'PBC':
        this.clearPageBuffer();
        break;
      case 'CHER':
        this.chipErase();
        break;
      case 'EEER':
        this.memories.eeprom.fill(0xff);
        this.eepromBusyUntil = this.clock.now() + this.timings.eepromErase;
        this.clearPageBuffer();
        this.options.onChange?.();
        break;
      case 'WFU': {
        if (accessor !== 'updi') return fail('WFU is only accessible through the UPDI');
        const index = address - NVM_ADDR.fuses;
        if (index >= 0 && index < FUSES_SIZE) this.memories.fuses[index] = this.data & 0xff;
        else if (address === NVM_ADDR.lockbits) this.memories.lockbits[0] = this.data & 0xff;
        else return fail(`0x${address.toString(16)} is not a fuse or lock byte`);
        this.eepromBusyUntil = this.clock.now() + this.timings.fuseWrite;
        this.options.onChange?.();
        break;
      }
      case 'WP':
      case 'ER':
      case 'ERWP': {
        const reason = this.pageCommand(command, address);
        if (reason) {
          this.clearPageBuffer();
          return fail(reason);
        }
        this.options.onChange?.();
        break;
      }
    }
    this.counts[command]++;
    this.options.onEvent?.({ type: 'command', command, accessor, address, ok: true });
  }

  /** WP / ER / ERWP on the page that ADDR points into. Returns why it failed, or undefined. */
  private pageCommand(command: 'WP' | 'ER' | 'ERWP', address: number): string | undefined {
    const section = sectionAt(address);
    if (section === undefined) return `ADDR 0x${address.toString(16)} is in no NVM window`;
    if (this.loadedSections.size > 1) return 'page buffer loaded for more than one memory';
    const loadedFor = [...this.loadedSections][0];
    if (loadedFor !== undefined && loadedFor !== section) {
      return `page buffer loaded for ${loadedFor} but ADDR points into ${section}`;
    }
    const w = SECTION_WINDOWS[section];
    const base = (address - w.start) & ~(w.pageSize - 1);
    const target = this.memories[section];
    const erase = command !== 'WP';
    const write = command !== 'ER';
    for (let i = 0; i < w.pageSize; i++) {
      // Flash pages are erased and written whole; EEPROM and user row only where loaded.
      if (section !== 'flash' && !this.loaded[i]) continue;
      let v = erase ? 0xff : target[base + i];
      if (write) v &= this.pageBuffer[i];
      target[base + i] = v;
    }
    const t = this.timings;
    const duration = command === 'WP' ? t.pageWrite : command === 'ER' ? t.pageErase : t.pageEraseWrite;
    const until = this.clock.now() + duration;
    if (section === 'flash') this.flashBusyUntil = until;
    else this.eepromBusyUntil = until;
    this.clearPageBuffer();
    return undefined;
  }
}
