/**
 * Locking the part (`ltobms lock`): LOCKBIT (0x128A) = 0x3A (avr-libc LB_RWLOCK) by a fuse write,
 * read back and compared like a fuse, then a reset, after which ASI_SYS_STATUS.LOCKSTATUS must
 * show the lock. From then on flash, EEPROM, fuses and the signature read 0 over UPDI and cannot be
 * written; only a chip erase (CHIPERASE key, `ltobms erase`) unlocks it, erasing the flash. The
 * user row stays writable by its key (src/updi/userrow.ts).
 */
import { LOCKBIT } from '../part/tinyavr2.js';
import { SYS_STATUS } from './constants.js';
import { UpdiError } from './errors.js';
import { hex } from '../util/hex.js';
import type { ProgramPlan } from './plan.js';
import type { Programmer } from './program.js';

export interface LockResult {
  /** The part (null when it was locked already: its signature reads 0). */
  device: string | null;
  alreadyLocked: boolean;
  /** LOCKBIT before (null when it could not be read: locked already). */
  before: number | null;
  value: number;
  verified: number;
  retries: number;
}

/** Offset of LOCKBIT in the fuse window that starts at FUSE (0x1280): byte 10. */
const LOCK_OFFSET = 10;

/** How long LOCKSTATUS may take to show after the reset. */
const LOCK_POLL_MS = 500;

export async function lockPart(p: Programmer, options: { verify: boolean }): Promise<LockResult> {
  const value = LOCKBIT.RWLOCK;
  if (await p.session.isLocked()) return { device: null, alreadyLocked: true, before: null, value, verified: 0, retries: 0 };
  await p.session.enterProgMode();
  const device = await p.identify();
  const [before] = await p.readMemory(device, 'lock');
  // The lock byte is written and verified like a fuse (WFU with NVMCTRL.ADDR = 0x128A): the
  // executor's retry and read-back rules, and its VERIFY error naming the address.
  const plan: ProgramPlan = {
    device: device.name,
    chipErase: false,
    pages: [],
    fuses: [{ index: LOCK_OFFSET, name: 'LOCKBIT', address: device.lockAddress, value }],
    skippedFuses: [],
    verify: [{ memory: 'fuses', offset: LOCK_OFFSET, address: device.lockAddress, expected: Uint8Array.of(value) }],
    bytes: { flash: 0, eeprom: 0, userrow: 0, fuses: 1 },
  };
  const result = await p.program(options.verify ? plan : { ...plan, verify: [] }, { verify: options.verify });
  // The lock takes effect at the next reset; programming mode ends with it.
  await p.session.toggleReset();
  p.session.progMode = false;
  if (options.verify) {
    try {
      await p.session.pollSysStatus({ mask: SYS_STATUS.LOCKSTATUS, want: SYS_STATUS.LOCKSTATUS, timeoutMs: LOCK_POLL_MS, what: 'the lock', code: 'LOCKED' });
    } catch (err) {
      if (!(err instanceof UpdiError) || err.updiCode !== 'LOCKED') throw err;
      throw new UpdiError('VERIFY', `LOCKBIT (${hex(device.lockAddress)}) reads ${hex(value, 2)}, but the part is not locked after a reset (${err.message})`, {
        hint: 'retry; if it repeats, the part ignores its lock bits: do not rely on it being locked',
        details: { address: device.lockAddress, expected: value },
        cause: err,
      });
    }
  }
  return { device: device.name, alreadyLocked: false, before: before!, value, verified: result.verified, retries: result.retries };
}
