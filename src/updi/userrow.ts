/**
 * Writing the byte-granular memories by bytes (`ltobms write userrow|eeprom`): the user row (32 B
 * at 0x1300) and the EEPROM, both through the NVM page buffer with erase-write, only the given
 * bytes touched, read back and compared like flash pages (the executor's rules).
 *
 * A locked part reads 0 and refuses programming mode, but its user row can still be written: the
 * USERROW key (facts §3.4, §4.7) opens user-row programming, the 32 bytes go to 0x1300, and
 * UROWWRITE_FINAL commits them. It cannot be read back — the caller has to say it knows that.
 */
import type { Segment } from '../image/ihex.js';
import { toFlatImage } from '../image/ihex.js';
import { DATA_SPACE, USERROW_SIZE } from '../part/tinyavr2.js';
import { CS, KEYS, KEY_STATUS, SYS_CTRLA, SYS_STATUS } from './constants.js';
import { UpdiError } from './errors.js';
import { planProgram } from './plan.js';
import type { Programmer, ProgramResult } from './program.js';
import type { UpdiSession } from './session.js';

import type { WritableMemory } from './memory-names.js';

/** The memories written here: the user row and the EEPROM. */
export type ByteMemory = WritableMemory;

export interface ByteWriteResult {
  /** The part (null when it is locked: its signature reads 0). */
  device: string | null;
  memory: ByteMemory;
  locked: boolean;
  /** 'nvm': page buffer and erase-write; 'userrow-key': the locked part's user-row key flow. */
  method: 'nvm' | 'userrow-key';
  written: number;
  verified: number;
  retries: number;
  phases: ProgramResult['phases'];
}

/** How long the user-row programming state may take to come and to go (facts §4.7: 500 ms). */
const UROW_POLL_MS = 500;

/**
 * Writes `segments` (offsets inside the memory) to the user row or EEPROM. On a locked part only
 * the user row can be written, only with `verify` off, and always whole (bytes not given are 0xFF).
 */
export async function writeByteMemory(p: Programmer, memory: ByteMemory, segments: readonly Segment[], options: { verify: boolean }): Promise<ByteWriteResult> {
  const locked = await p.session.isLocked();
  if (locked) {
    if (memory !== 'userrow') await p.session.enterProgMode(); // throws LOCKED with the erase hint
    if (options.verify) {
      throw new UpdiError('LOCKED', 'the part is locked: its user row can be written (USERROW key) but not read back to verify', {
        hint: 'pass --no-verify to write it unverified (the whole row: bytes not given become 0xff), or unlock with `ltobms erase` first (it erases flash, and EEPROM unless EESAVE)',
      });
    }
    const row = toFlatImage(segments, USERROW_SIZE, 0xff, 'the user row image');
    await writeUserRowByKey(p.session, row);
    return { device: null, memory, locked, method: 'userrow-key', written: row.length, verified: 0, retries: 0, phases: [] };
  }
  await p.session.enterProgMode();
  const device = await p.identify();
  const plan = planProgram({ [memory]: segments }, device);
  const result = await p.program(plan, { verify: options.verify });
  return { device: device.name, memory, locked, method: 'nvm', written: result.written[memory], verified: result.verified, retries: result.retries, phases: result.phases };
}

/**
 * The user-row key flow: key, reset, wait for UROWPROG, the 32 bytes (each store acknowledged),
 * UROWWRITE_FINAL, wait for the write to end, clear the key, reset.
 */
export async function writeUserRowByKey(session: UpdiSession, row: Uint8Array): Promise<void> {
  session.doing('sending the USERROW key');
  const [keyStatus] = await session.link.run(session.link.burst().key(KEYS.userRowWrite).ldcs(CS.ASI_KEY_STATUS), 'USERROW key');
  if (!(keyStatus! & KEY_STATUS.UROWWRITE)) {
    throw new UpdiError('KEY_REJECTED', `the USERROW key was not accepted (ASI_KEY_STATUS 0x${keyStatus!.toString(16)})`);
  }
  await session.toggleReset();
  await session.pollSysStatus({ mask: SYS_STATUS.UROWPROG, want: SYS_STATUS.UROWPROG, timeoutMs: UROW_POLL_MS, what: 'user-row programming', code: 'PROGMODE' });
  session.doing('writing the user row by key');
  await session.link.stPtr(DATA_SPACE.USERROW);
  await session.link.stInc(row, 1);
  await session.link.stcs(CS.ASI_SYS_CTRLA, SYS_CTRLA.UROWWRITE_FINAL | SYS_CTRLA.CLKREQ);
  await session.pollSysStatus({ mask: SYS_STATUS.UROWPROG, want: 0, timeoutMs: UROW_POLL_MS, what: 'the user-row write to finish', code: 'NVM_TIMEOUT' });
  await session.link.stcs(CS.ASI_KEY_STATUS, KEY_STATUS.UROWWRITE);
  await session.toggleReset();
}
