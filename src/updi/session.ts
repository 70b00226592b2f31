/**
 * UPDI application layer: bringing the link up, SIB, keys, programming mode, reset, unlocking a
 * locked part, and the identity reads (signature, revision, serial number).
 *
 * The constructor does no I/O; `connect()` does the handshake and `close()` (always, in `finally`)
 * leaves programming mode, lets the part run again and closes the port.
 */
import type { ByteStream } from '../serial/stream.js';
import { UpdiPhysical } from './physical.js';
import { UpdiLink } from './link.js';
import { UpdiMemory } from './memory.js';
import { CS, CTRLB, KEYS, KEY_STATUS, RESET_REQ_SIGNATURE, SYS_STATUS, UPDICLKSEL } from './constants.js';
import { DATA_SPACE, SERIAL_NUMBER_SIZE } from '../part/tinyavr2.js';
import { UpdiError } from './errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { debug } from '../util/debug.js';

const log = debug('ltobms:updi:session');

/**
 * CTRLA while connected: guard time 2 UPDI cycles (GTVAL = 6), no inter-byte delay. The reset value
 * (128-cycle guard time) works too but every answer then waits longer; IBDLY would add 2 idle bits
 * to every byte of a block read (17 % slower).
 */
export const LINK_CTRLA = 0x06;

/** The speed the link is brought up at; higher speeds are switched to after raising the UPDI clock. */
export const START_BAUD = 115200;

/** Largest UPDI baud rate the data sheet allows for a supply voltage (DS3224 §33.19). */
export function maxBaudForVdd(vdd: number): number {
  if (vdd >= 2.7) return 900_000;
  if (vdd >= 2.2) return 450_000;
  if (vdd >= 1.8) return 225_000;
  return 0;
}

/** UPDICLKSEL needed for a baud rate: 4 MHz (default) up to 225 k, 8 MHz up to 450 k, 16 MHz above. */
export function updiClockFor(baud: number): { sel: number; mhz: number } {
  if (baud <= 225_000) return { sel: UPDICLKSEL.mhz4, mhz: 4 };
  if (baud <= 450_000) return { sel: UPDICLKSEL.mhz8, mhz: 8 };
  return { sel: UPDICLKSEL.mhz16, mhz: 16 };
}

/** Resynchronisations a link-up may take before it gives up (each one a double BREAK). */
const SETUP_RETRIES = 3;

export interface SibInfo {
  raw: string;
  family: string;
  nvm: string;
  ocd: string;
  osc: string;
  extra: string;
}

/** Splits the 32-byte SIB the way pymcuprog and avrdude do ([0:7] family, [8:11] NVM, [11:14] OCD, [15:19] osc). */
export function decodeSib(bytes: Uint8Array): SibInfo {
  const raw = Buffer.from(bytes).toString('latin1').replace(/[\0\xff]+$/g, '');
  const field = (a: number, b?: number) => raw.slice(a, b).replace(/\0/g, '').trim();
  return { raw: raw.trim(), family: field(0, 7), nvm: field(8, 11), ocd: field(11, 14), osc: field(15, 19), extra: field(19) };
}

export interface SessionOptions {
  /** Working baud rate (default 115200). */
  baud?: number;
  /** Fixed part of every receive timeout in ms (default 250). */
  timeoutMs?: number;
  /** How long to poll for programming mode / lock release (default 500 ms). */
  pollMs?: number;
  /** Deadlines and waits of every layer (default: the system clock). */
  clock?: Clock;
}

export class UpdiSession {
  readonly phy: UpdiPhysical;
  readonly link: UpdiLink;
  readonly memory: UpdiMemory;
  readonly baud: number;
  readonly clock: Clock;
  sib: SibInfo | undefined;
  /** True between a successful enterProgMode and leaveProgMode. */
  progMode = false;
  /** Double-BREAK resynchronisations so far (set-up and recovery). */
  resyncs = 0;
  /** What the session is doing, in words ("writing flash page 0x1200"): see {@link doing}. */
  activity = 'opening the port';
  /** The link was just initialised by a resynchronisation. */
  private linkFresh = false;

  private readonly pollMs: number;

  constructor(
    readonly transport: ByteStream,
    options: SessionOptions = {},
  ) {
    this.baud = options.baud ?? START_BAUD;
    this.pollMs = options.pollMs ?? 500;
    this.clock = options.clock ?? systemClock;
    this.phy = new UpdiPhysical(transport, { baud: Math.min(this.baud, START_BAUD), timeoutMs: options.timeoutMs, clock: this.clock });
    this.link = new UpdiLink(this.phy);
    this.memory = new UpdiMemory(this.link);
  }

  /**
   * Brings the link up, reads the SIB and switches to the working baud. Nothing here depends on
   * timing: the wake-up byte's echo is taken by count, however late the adapter delivers it. A
   * step that fails on a bad or missing byte (link init, SIB, baud switch, status) is retried after
   * a double BREAK, a bounded number of times, like a page transfer.
   */
  async connect(): Promise<void> {
    // A 0x00 at the working baud: the enable pulse for a UPDI that was disabled, a BREAK for a
    // target model waiting for SYNCH. Its echo is not checked.
    this.doing('waking the UPDI up');
    await this.phy.sendUnchecked(Uint8Array.of(0x00), 'wake-up');
    await this.phy.discard();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.setUp();
        return;
      } catch (err) {
        if (!(err instanceof UpdiError) || !err.recoverable || attempt > SETUP_RETRIES) throw err;
        log(`set-up failed (${err.message}); double BREAK, attempt ${attempt + 1}`);
        this.resyncs++;
        await this.startOver(err);
      }
    }
  }

  /** Link init (skipped right after a resynchronisation did it), SIB, working baud, status. */
  private async setUp(): Promise<void> {
    if (!this.linkFresh) {
      this.doing('bringing the link up');
      await this.link.init(LINK_CTRLA);
    }
    this.linkFresh = false;
    this.doing('reading the SIB');
    this.sib = decodeSib(await this.link.readSib());
    log(`SIB ${JSON.stringify(this.sib.raw)}`);
    if (this.sib.nvm !== 'P:0') {
      throw new UpdiError('UNSUPPORTED', `the target's NVM interface is "${this.sib.nvm || '?'}" (SIB "${this.sib.raw}"); this programmer speaks P:0 (tinyAVR 0/1/2)`, {
        hint: 'use avrdude or pymcuprog for AVR Dx/Ex parts',
      });
    }
    this.doing(`switching to ${this.baud} baud`);
    await this.raiseBaud();
    this.doing('reading the system status');
    const status = await this.systemStatus();
    if (status & SYS_STATUS.RSTSYS && !(status & SYS_STATUS.NVMPROG)) {
      // Left in reset by an interrupted session: let it go.
      await this.link.stcs(CS.ASI_RESET_REQ, 0x00);
    }
  }

  /** Names what the session is doing now (for the message when the port goes away mid-job). */
  doing(activity: string): void {
    this.activity = activity;
  }

  /**
   * Resynchronises after a failed transaction: double BREAK, link init at the start baud, UPDI
   * clock and working baud again, and programming mode again if it was lost.
   */
  async recover(): Promise<void> {
    this.resyncs++;
    await this.startOver(undefined);
    this.linkFresh = false;
    await this.raiseBaud();
    if (this.progMode) {
      const status = await this.systemStatus();
      if (!(status & SYS_STATUS.NVMPROG)) {
        this.progMode = false;
        await this.enterProgMode();
      }
    }
  }

  private async startOver(first: unknown): Promise<void> {
    let last = first;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.link.forgetState();
      await this.phy.doubleBreak();
      await this.phy.setBaud(Math.min(this.baud, START_BAUD));
      try {
        await this.link.init(LINK_CTRLA);
        this.linkFresh = true;
        return;
      } catch (err) {
        // A port that went away does not come back by a BREAK.
        if (err instanceof UpdiError && !err.recoverable) throw err;
        last = err;
      }
    }
    const why = last instanceof Error ? ` (${last.message})` : '';
    throw new UpdiError('LINK', `no UPDI answer on ${this.transport.name} at ${this.phy.baud} baud, also after double BREAK${why}`, { cause: last });
  }

  /** Above 115200 baud: set the UPDI clock the speed needs, switch the host, check the link. */
  private async raiseBaud(): Promise<void> {
    if (this.baud <= START_BAUD) return;
    const clock = updiClockFor(this.baud);
    if (clock.sel !== UPDICLKSEL.mhz4) await this.link.stcs(CS.ASI_CTRLA, clock.sel);
    await this.phy.setBaud(this.baud);
    try {
      const statusA = await this.link.ldcs(CS.STATUSA);
      if (!statusA) throw new UpdiError('LINK', 'STATUSA reads 0');
    } catch (err) {
      throw new UpdiError('BAUD', `the UPDI link fails at ${this.baud} baud (UPDI clock ${clock.mhz} MHz): ${(err as Error).message}`, {
        hint: 'lower --baud (115200 always works), or check the supply voltage (--vdd) and the adapter',
        cause: err,
      });
    }
  }

  async systemStatus(): Promise<number> {
    return this.link.ldcs(CS.ASI_SYS_STATUS);
  }

  async isLocked(): Promise<boolean> {
    return this.retrying('reading the lock status', async () => ((await this.systemStatus()) & SYS_STATUS.LOCKSTATUS) !== 0);
  }

  /** NVMPROG key, reset toggle, then wait for programming mode (facts §4.3); retried after a resync. */
  async enterProgMode(): Promise<void> {
    await this.retrying('entering programming mode', () => this.enterProgModeOnce());
  }

  private async enterProgModeOnce(): Promise<void> {
    const status = await this.systemStatus();
    if (status & SYS_STATUS.NVMPROG) {
      this.progMode = true;
      return;
    }
    if (status & SYS_STATUS.LOCKSTATUS) throw new UpdiError('LOCKED', 'the part is locked (ASI_SYS_STATUS.LOCKSTATUS); its memories cannot be read or written');
    const b = this.link.burst().stcs(CS.ASI_RESET_REQ, RESET_REQ_SIGNATURE).key(KEYS.nvmProg).ldcs(CS.ASI_KEY_STATUS);
    const [keyStatus] = await this.link.run(b, 'NVMPROG key');
    if (!(keyStatus! & KEY_STATUS.NVMPROG)) {
      await this.link.stcs(CS.ASI_RESET_REQ, 0x00);
      throw new UpdiError('KEY_REJECTED', `the NVMPROG key was not accepted (ASI_KEY_STATUS 0x${keyStatus!.toString(16)})`);
    }
    await this.toggleReset();
    await this.pollSysStatus({ mask: SYS_STATUS.LOCKSTATUS, want: 0, timeoutMs: this.pollMs, what: 'lock release', code: 'LOCKED' });
    await this.pollSysStatus({ mask: SYS_STATUS.NVMPROG, want: SYS_STATUS.NVMPROG, timeoutMs: this.pollMs, what: 'programming mode', code: 'PROGMODE' });
    this.progMode = true;
  }

  /** Resets the part, releases it, and disables UPDI so the firmware runs (facts §4.10). */
  async leaveProgMode(): Promise<void> {
    const b = this.link
      .burst()
      .stcs(CS.ASI_RESET_REQ, RESET_REQ_SIGNATURE)
      .stcs(CS.ASI_RESET_REQ, 0x00)
      .stcs(CS.CTRLB, CTRLB.UPDIDIS | CTRLB.CCDETDIS);
    await this.link.run(b, 'leave programming mode', true);
    this.progMode = false;
  }

  /** System reset: assert then release. */
  async toggleReset(): Promise<void> {
    await this.link.run(this.link.burst().stcs(CS.ASI_RESET_REQ, RESET_REQ_SIGNATURE).stcs(CS.ASI_RESET_REQ, 0x00), 'reset');
  }

  /**
   * Unlocks a locked part with the CHIPERASE key (erases flash, EEPROM unless EESAVE, and the lock
   * bits), then enters programming mode (facts §4.5).
   */
  async unlockWithChipErase(): Promise<void> {
    const b = this.link.burst().key(KEYS.chipErase).ldcs(CS.ASI_KEY_STATUS);
    const [keyStatus] = await this.link.run(b, 'CHIPERASE key');
    if (!(keyStatus! & KEY_STATUS.CHIPERASE)) {
      throw new UpdiError('KEY_REJECTED', `the CHIPERASE key was not accepted (ASI_KEY_STATUS 0x${keyStatus!.toString(16)})`);
    }
    await this.toggleReset();
    await this.pollSysStatus({ mask: SYS_STATUS.LOCKSTATUS, want: 0, timeoutMs: Math.max(this.pollMs, 500), what: 'unlock by chip erase', code: 'LOCKED' });
    this.progMode = false;
    await this.enterProgMode();
  }

  async readSignature(): Promise<Uint8Array> {
    return this.memory.read(DATA_SPACE.SIGROW, 3);
  }

  /** SYSCFG.REVID: 0 = rev A, 1 = rev B … */
  async readRevision(): Promise<number> {
    return this.retrying('reading the revision', () => this.memory.readByte(DATA_SPACE.SYSCFG_REVID));
  }

  async readSerialNumber(): Promise<Uint8Array> {
    return this.retrying('reading the serial number', () => this.memory.read(DATA_SPACE.SERNUM, SERIAL_NUMBER_SIZE));
  }

  /**
   * Runs a short set-up step; a bad or missing byte (a recoverable error) is retried after a
   * resynchronisation, a bounded number of times. A rejected key counts as such a byte: a key
   * damaged on the wire is rejected like a wrong one, and the right one is sent again.
   */
  private async retrying<T>(what: string, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.doing(what);
      try {
        return await op();
      } catch (err) {
        const retry = err instanceof UpdiError && (err.recoverable || err.updiCode === 'KEY_REJECTED');
        if (!retry || attempt > SETUP_RETRIES) throw err;
        log(`${what} failed (${err.message}); double BREAK, attempt ${attempt + 1}`);
        // A resync that fails on a bad byte is one more failed attempt.
        await this.recover().catch((again: unknown) => {
          if (!(again instanceof UpdiError) || !again.recoverable || attempt >= SETUP_RETRIES) throw again;
        });
      }
    }
  }

  /**
   * Leaves programming mode (the part runs again) and closes the port. Never throws: a failure
   * here must not hide the error that brought us here; it is returned instead.
   */
  async close(): Promise<Error | undefined> {
    let problem: Error | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.leaveProgMode();
        problem = undefined;
        break;
      } catch (err) {
        problem = err as Error;
        log(`leave programming mode failed: ${problem.message}`);
        // A byte lost on the way is resynchronised and the leave sent again (it is idempotent:
        // reset, release, UPDIDIS); recover() must not enter programming mode again for it.
        if (!(err instanceof UpdiError) || !err.recoverable || attempt > SETUP_RETRIES) break;
        this.progMode = false;
        await this.recover().catch((again: unknown) => log(`resync before leaving failed: ${(again as Error).message}`));
      }
    }
    try {
      await this.transport.close();
    } catch (err) {
      problem ??= err as Error;
    }
    return problem;
  }

  /** Reads ASI_SYS_STATUS until `status & mask === want`; after `timeoutMs` a `code` error naming `what`. */
  async pollSysStatus(poll: { mask: number; want: number; timeoutMs: number; what: string; code: 'LOCKED' | 'PROGMODE' | 'NVM_TIMEOUT' }): Promise<void> {
    const { mask, want, timeoutMs, what, code } = poll;
    const deadline = this.clock.now() + timeoutMs;
    let status = 0;
    do {
      status = await this.systemStatus();
      if ((status & mask) === want) return;
    } while (this.clock.now() < deadline);
    throw new UpdiError(code, `timed out after ${timeoutMs} ms waiting for ${what} (ASI_SYS_STATUS 0x${status.toString(16)})`);
  }
}

