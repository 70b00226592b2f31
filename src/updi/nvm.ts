/**
 * The tinyAVR 0/1/2 NVM controller (SIB "P:0") driven over UPDI: page buffer clear, page write,
 * erase-write, EEPROM erase, fuse write, chip erase, and bounded status polling.
 *
 * Page writes are streamed: each page is one write on the wire — [pointer if not contiguous]
 * REPEAT, ST *ptr++ (data), STS NVMCTRL.CTRLA = command, LDS NVMCTRL.STATUS — with response
 * signatures disabled, so the only bus turnaround per page is the status byte that tells us the
 * controller is ready for the next page (the data sheet requires FBUSY/EEBUSY = 0 before the page
 * buffer is filled). The page buffer clears itself after every page write, so PBC is sent only
 * before the first page and after a failure.
 */
import type { UpdiLink } from './link.js';
import { CS, CTRLA, NVMCTRL, NVM_CMD, NVM_STATUS, type NvmCommand } from './constants.js';
import { systemClock, type Clock } from '../util/clock.js';
import { UpdiError } from './errors.js';
import { hex } from '../util/hex.js';

const BUSY = NVM_STATUS.FBUSY | NVM_STATUS.EEBUSY;

/** Typical programming times from the data sheet (page write 2 ms, erase 2 ms, erase-write 4 ms). */
export const NVM_TYPICAL_MS: Partial<Record<NvmCommand, number>> = {
  [NVM_CMD.WP]: 2,
  [NVM_CMD.ER]: 2,
  [NVM_CMD.ERWP]: 4,
};

export interface PageWrite {
  /** Data-space address of the first byte (0x8000 + offset for flash, 0x1400 + offset for EEPROM). */
  address: number;
  data: Uint8Array;
  /** 2 = word stores (flash), 1 = byte stores (EEPROM, user row: byte-granular). */
  unit: 1 | 2;
  command: NvmCommand;
}

/** A range to read back in the same write as a page (see writePage). */
export interface ReadBack {
  address: number;
  length: number;
  unit: 1 | 2;
}

export interface NvmOptions {
  /** Bounded wait for a page operation (default 500 ms). */
  pageTimeoutMs?: number;
  /** Bounded wait for chip erase (default 3000 ms). */
  eraseTimeoutMs?: number;
  /** Where the deadlines of those waits come from (default: the system clock). */
  clock?: Clock;
}

export class TinyNvm {
  /** Where the UPDI pointer is after the last streamed page (undefined = unknown). */
  private pointer: number | undefined;
  /** The page buffer may hold stale bytes (start, or after a failure). */
  private bufferDirty = true;
  private readonly pageTimeoutMs: number;
  private readonly eraseTimeoutMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly link: UpdiLink,
    options: NvmOptions = {},
  ) {
    this.pageTimeoutMs = options.pageTimeoutMs ?? 500;
    this.eraseTimeoutMs = options.eraseTimeoutMs ?? 3000;
    this.clock = options.clock ?? systemClock;
  }

  /** Forget pointer and page-buffer state (after a resynchronisation). */
  reset(): void {
    this.pointer = undefined;
    this.bufferDirty = true;
  }

  async status(): Promise<number> {
    const [s] = await this.link.lds(NVMCTRL.STATUS);
    return s!;
  }

  /** Polls NVMCTRL.STATUS until not busy; WRERROR → NVM_ERROR; longer than `timeoutMs` → NVM_TIMEOUT. */
  async waitReady(what: string, timeoutMs = this.pageTimeoutMs, first?: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    let s = first ?? (await this.status());
    while (true) {
      if (s & NVM_STATUS.WRERROR) {
        throw new UpdiError('NVM_ERROR', `NVM write error (NVMCTRL.STATUS 0x${s.toString(16)}) ${what}`, { details: { status: s } });
      }
      if (!(s & BUSY)) return;
      if (this.clock.now() >= deadline) {
        throw new UpdiError('NVM_TIMEOUT', `timed out after ${timeoutMs} ms waiting for the NVM controller ${what} (NVMCTRL.STATUS 0x${s.toString(16)})`);
      }
      s = await this.status();
    }
  }

  /** Writes NVMCTRL.CTRLA (with an ACK check unless RSD is on). */
  async command(cmd: NvmCommand): Promise<void> {
    await this.link.sts(NVMCTRL.CTRLA, [cmd]);
  }

  /** Erases flash and EEPROM (EEPROM is kept when FUSE.SYSCFG0.EESAVE is set). */
  async chipErase(): Promise<void> {
    await this.waitReady('before chip erase');
    await this.command(NVM_CMD.CHER);
    await this.waitReady('after chip erase', this.eraseTimeoutMs);
    this.reset();
  }

  /** Erases the whole EEPROM. */
  async eraseEeprom(): Promise<void> {
    await this.waitReady('before EEPROM erase');
    await this.command(NVM_CMD.EEER);
    await this.waitReady('after EEPROM erase', this.eraseTimeoutMs);
  }

  /** Writes one fuse (or the lock byte): ADDR, DATA, WFU, then waits (facts §4.8). */
  async writeFuse(address: number, value: number): Promise<void> {
    const what = `writing fuse ${hex(address)}`;
    await this.waitReady(`before ${what}`);
    await this.link.sts(NVMCTRL.ADDR, [address & 0xff, address >> 8]);
    await this.link.sts(NVMCTRL.DATA, [value]);
    await this.command(NVM_CMD.WFU);
    await this.waitReady(`after ${what}`);
  }

  /**
   * Loads one page (or, for byte-granular memories, part of one) and commits it with `command`,
   * in one write. The controller must be ready when this is called.
   *
   * Without `readBack`, the write ends with a read of NVMCTRL.STATUS and this waits until the
   * controller is ready again.
   *
   * With `readBack`, the write goes on to read that range (normally the previous page) while the
   * controller programs this one, and returns the bytes: verification costs no extra bus
   * turnaround and keeps the line busy during the programming time. If the read-back lasts less
   * than 1.5 times the data sheet's typical time of the command on the wire, NVMCTRL.STATUS is
   * polled afterwards; otherwise the controller is taken to be ready when the last byte is in
   * (the caller verifies every page after the next one was loaded, so a wrong guess shows).
   * `poll`: no guess — the same write ends with a read of NVMCTRL.STATUS after the read-back, and
   * this waits until the controller is ready (a wire faster than its baud rate says).
   */
  async writePage(page: PageWrite, readBack?: ReadBack, options: { poll?: boolean } = {}): Promise<Uint8Array | undefined> {
    const what = `${commandName(page.command)} ${hex(page.address)}+${page.data.length}`;
    const b = this.link.burst();
    if (!b.rsd) b.stcs(CS.CTRLA, this.link.ctrlAValue | CTRLA.RSD);
    if (this.bufferDirty) b.sts(NVMCTRL.CTRLA, commandWord(NVM_CMD.PBC));
    if (this.pointer !== page.address) b.stPtr(page.address);
    b.stInc(page.data, page.unit);
    b.sts(NVMCTRL.CTRLA, commandWord(page.command));
    if (readBack) {
      // Pages streamed top-down read back the page above, where the pointer already is.
      if (readBack.address !== page.address + page.data.length) b.stPtr(readBack.address);
      const words = readBack.unit === 2 && readBack.length % 2 === 0;
      b.ldInc(words ? readBack.length / 2 : readBack.length, words ? 2 : 1);
      if (options.poll) b.lds(NVMCTRL.STATUS);
    } else b.lds(NVMCTRL.STATUS);
    // Until the answer is back, assume the worst about pointer and buffer.
    this.reset();
    const answer = await this.link.run(b, what + (readBack ? `, read back ${hex(readBack.address)}+${readBack.length}` : ''));
    this.pointer = readBack ? readBack.address + readBack.length : page.address + page.data.length;
    this.bufferDirty = false;
    if (!readBack) {
      await this.waitReady(`after ${what}`, this.pageTimeoutMs, answer[0]);
      return undefined;
    }
    if (options.poll) {
      await this.waitReady(`after ${what}`, this.pageTimeoutMs, answer[readBack.length]);
      return answer.subarray(0, readBack.length);
    }
    if (this.link.phy.wireMs(readBack.length) < 1.5 * (NVM_TYPICAL_MS[page.command] ?? Infinity)) await this.waitReady(`after ${what}`);
    return answer;
  }

  /**
   * Waits until the controller is idle, accepting WRERROR: used before redoing work after a
   * failure, when the error flag belongs to the attempt being redone.
   */
  async settle(what: string): Promise<number> {
    const deadline = this.clock.now() + this.pageTimeoutMs;
    let s = await this.status();
    while (s & BUSY) {
      if (this.clock.now() >= deadline) throw new UpdiError('NVM_TIMEOUT', `timed out after ${this.pageTimeoutMs} ms waiting for the NVM controller ${what}`);
      s = await this.status();
    }
    return s;
  }

  /** Turns response signatures back on after a run of page writes (no wait). */
  async endBulk(): Promise<void> {
    if (this.link.rsd) await this.link.stcs(CS.CTRLA, this.link.ctrlAValue & ~CTRLA.RSD);
  }
}

/**
 * An NVM command as a word store to NVMCTRL.CTRLA and CTRLB (0x00: no protection bit set, and
 * those bits can only be set) for a burst without ACKs. A byte stored to CTRLA alone is followed
 * by the next instruction's SYNCH: when the command byte never reaches the target (the host cannot
 * tell, its echo is fine), the target takes 0x55 as the command, and CMD[2:0] of 0x55 is 5: chip
 * erase, flash and EEPROM. With the word, whichever single byte is lost, CTRLA receives the
 * command or 0x00 (no command) and the SYNCH lands in CTRLB; a page not written shows in its
 * read-back.
 */
function commandWord(cmd: NvmCommand): number[] {
  return [cmd, 0x00];
}

function commandName(cmd: NvmCommand): string {
  return (Object.keys(NVM_CMD) as (keyof typeof NVM_CMD)[]).find((k) => NVM_CMD[k] === cmd) ?? `cmd ${cmd}`;
}
