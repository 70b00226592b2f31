/**
 * The UPDI protocol front end of a virtual ATtiny824: it consumes the bytes a programmer sends,
 * one at a time, and answers through a callback, like the UPDI block of the real part.
 *
 * It sits on a {@link DataSpace} (what the UPDI reaches over the system bus) and the NVM model
 * (lock bits, chip erase, user row); it knows nothing about ports, pacing or echo — that is the
 * wire model's job (src/sim/wire). Time comes from an injected clock, in seconds.
 *
 * Behaviour (ATTINY824_FACTS.md §3, tinyAVR 2-series UPDI chapter):
 * - Disabled at power-up. Any byte enables it (the enable pulse is the start bit of the host's
 *   first 0x00); then every instruction starts with SYNCH 0x55. A 0x00 while SYNCH is expected is
 *   a BREAK (a pseudo-terminal carries no BREAK condition; programmers send 0x00 at 300 baud for
 *   it), and so is a 0x00 that arrives after the line was idle for `breakIdleSeconds` in the middle
 *   of an instruction. Any other byte where SYNCH belongs is ignored and counted as a framing error.
 * - A byte received with a parity error (fault injection) puts the UPDI in its error state
 *   (STATUSB.PESIG = 1): everything is ignored until a BREAK — unless CTRLA.PARD turned the parity
 *   check off, in which case the damaged byte is taken as it is.
 * - LDS/STS (1–3 address bytes, 1–2 data bytes), LD/ST through the pointer (*ptr, *ptr++, ptr;
 *   8/16-bit), LDCS/STCS, REPEAT (count − 1; it applies to the next LD/ST data instruction and
 *   survives STCS in between), KEY (64-bit keys; with the SIB bit: 8/16/32 bytes of SIB).
 *   ACK 0x40 after the STS address and data and after each ST datum or pointer, unless CTRLA.RSD.
 * - Keys: "NVMProg " → KEY_STATUS.NVMPROG, "NVMErase" → CHIPERASE, "NVMUs&te" → UROWWRITE.
 *   They act on the release of a system reset (ASI_RESET_REQ 0x59 then any other value): chip
 *   erase (unlocks the part), NVM programming mode (only if unlocked), user-row programming mode.
 * - A locked part (lock bits ≠ 0xC5 at the last reset) reads 0 over the system bus and ignores
 *   writes; only the CS space, keys and the user-row key flow work. Without programming mode,
 *   writes to NVMCTRL and the NVM windows are ignored (reads work on an unlocked part).
 * - CTRLB.UPDIDIS ends the session: keys and programming modes dropped, the CPU released, the
 *   UPDI disabled until the next enable pulse.
 */
import { debug } from '../../util/debug.js';
import { hexBytes } from '../../util/hex.js';
import type { DataSpace } from '../nvm/dataspace.js';
import { EEPROM_SIZE, FLASH_SIZE, NVM_ADDR, NvmMemories, USERROW_SIZE } from '../nvm/memories.js';
import { ATTINY824 } from '../../part/attiny824.js';
import { NVMCTRL_SIZE, Nvmctrl, type NvmClock } from '../nvm/nvmctrl.js';
// The protocol constants are this target's own reading of the data sheet (see registers.ts), never
// the programmer's src/updi/constants.ts: one misreading must not hide in both.
import {
  ACK,
  CS,
  CTRLA_BITS,
  CTRLB_BITS,
  GUARD_BITS,
  IBDLY_BITS,
  KEY_SIB,
  KEY_STATUS,
  KEYS,
  OPCODE,
  PESIG,
  PTR_MODE,
  RESET_REQ_SIGNATURE,
  STATUSA_UPDIREV3,
  SYNCH,
  SYS_CTRLA_BITS,
  SYS_STATUS,
  UPDICLKSEL_4MHZ,
  sibBytes,
  type KeyName,
} from './registers.js';

const log = debug('ltobms:sim:updi');

/** What the UPDI does to the rest of the chip: hold the CPU in reset (or let it run). */
export interface UpdiControl {
  setResetHeld(held: boolean): void;
}

export type UpdiEvent =
  | { type: 'enabled' }
  | { type: 'break'; cause: 'byte' | 'idle-gap' | 'signal' }
  | { type: 'disabled'; programmed: boolean }
  | { type: 'key'; key: KeyName | 'unknown' }
  | { type: 'reset'; held: boolean }
  | { type: 'progmode'; mode: 'nvm' | 'userrow'; active: boolean }
  | { type: 'chip-erase' }
  | { type: 'userrow-written' }
  | { type: 'error'; pesig: number; detail: string };

export interface UpdiTargetOptions {
  /** The system bus as the UPDI reaches it (usually `NvmDataSpace.updiView(...)`). */
  dataSpace: DataSpace;
  memories: NvmMemories;
  nvmctrl: Nvmctrl;
  clock: NvmClock;
  /** Sends one byte to the host; `idleBits` is the idle time before it (guard time, IBDLY). */
  transmit: (byte: number, idleBits: number) => void;
  control?: UpdiControl;
  onEvent?: (event: UpdiEvent) => void;
  /**
   * A 0x00 after this much idle time mid-instruction counts as a BREAK. Default 0.1 s: longer
   * than a host stall between an ACK and the next data byte, shorter than programmers' receive
   * timeouts (avrdude and pymcuprog 1 s, ltobms 250 ms) after which they send a BREAK.
   */
  breakIdleSeconds?: number;
  /** SIB text source (defaults to the ATtiny824 rev B string). */
  sib?: (length: number) => number[];
}

/** Counters for tests, traces and the `ltobms sim --json` summary. */
export interface UpdiStats {
  bytesReceived: number;
  bytesSent: number;
  instructions: number;
  breaks: number;
  framingErrors: number;
  parityErrors: number;
  ignoredWrites: number;
}

type Phase =
  | { kind: 'disabled' }
  | { kind: 'error' }
  | { kind: 'sync' }
  | { kind: 'opcode' }
  | { kind: 'collect'; need: number; bytes: number[]; done: (bytes: number[]) => void };

const NVM_WRITE_WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [NVM_ADDR.nvmctrl, NVMCTRL_SIZE],
  [NVM_ADDR.sigrow, NVM_ADDR.eeprom + EEPROM_SIZE - NVM_ADDR.sigrow],
  [NVM_ADDR.flash, FLASH_SIZE],
];

/** SRAM start: the user-row key flow may also stage its data in the first 32 bytes of RAM. */
const RAMSTART = ATTINY824.sramStart;

function littleEndian(bytes: number[]): number {
  return bytes.reduceRight((acc, b) => acc * 256 + b, 0);
}

export class UpdiTarget {
  readonly stats: UpdiStats = {
    bytesReceived: 0,
    bytesSent: 0,
    instructions: 0,
    breaks: 0,
    framingErrors: 0,
    parityErrors: 0,
    ignoredWrites: 0,
  };

  private phase: Phase = { kind: 'disabled' };
  private ctrla = 0;
  private ctrlb = 0;
  private pesig: number = PESIG.NONE;
  private keyStatus = 0;
  private asiCtrla: number = UPDICLKSEL_4MHZ;
  private sysCtrla: number = SYS_CTRLA_BITS.CLKREQ;
  private resetHeld = false;
  private locked: boolean;
  private nvmProg = false;
  private urowProg = false;
  private urowFinishesAt = Number.NEGATIVE_INFINITY;
  private readonly urowBuffer = new Uint8Array(USERROW_SIZE);
  private cpuHeld = false;
  private pointer = 0;
  private repeat = 0;
  private lastRxAt = Number.NEGATIVE_INFINITY;
  private wroteNvm = false;
  /** Bytes of the response being sent; the first waits out the guard time. */
  private responding = false;
  private readonly breakIdleSeconds: number;

  constructor(private readonly o: UpdiTargetOptions) {
    this.breakIdleSeconds = o.breakIdleSeconds ?? 0.1;
    this.locked = o.memories.lockBitsSet;
  }

  /** True between the enable pulse and UPDIDIS. */
  get enabled(): boolean {
    return this.phase.kind !== 'disabled';
  }

  /** NVM programming mode (ASI_SYS_STATUS.NVMPROG). */
  get inProgrammingMode(): boolean {
    return this.nvmProg;
  }

  /** The lock state latched at the last reset (ASI_SYS_STATUS.LOCKSTATUS). */
  get isLocked(): boolean {
    return this.locked;
  }

  /** Current CTRLA (RSD, GTVAL, IBDLY). */
  get controlA(): number {
    return this.ctrla;
  }

  /** The state machine's phase, for tests and traces. */
  get phaseName(): Phase['kind'] {
    return this.phase.kind;
  }

  /**
   * One byte from the host, as the UPDI's receiver got it. `parityError` marks a byte damaged on
   * the wire (the real receiver sees the parity bit disagree). `lineIdleSeconds`: how long the line
   * was idle before it, measured by the wire (default: on this target's clock). A chip whose owner
   * runs it ahead of the wire (`--speed max`) must take it from the wire, or a pause of the host's
   * would pass for 100 ms of silence and a 0x00 data byte for a BREAK.
   */
  receive(byte: number, parityError = false, lineIdleSeconds?: number): void {
    const now = this.o.clock.now();
    const idle = lineIdleSeconds ?? now - this.lastRxAt;
    this.lastRxAt = now;
    this.stats.bytesReceived++;
    this.responding = false;
    byte &= 0xff;
    const phase = this.phase;

    if (phase.kind === 'disabled') {
      this.enable();
      return;
    }
    if (parityError && !(this.ctrla & CTRLA_BITS.PARD)) {
      this.stats.parityErrors++;
      this.enterError(PESIG.PARITY, `parity error on byte 0x${byte.toString(16)}`);
      return;
    }
    switch (phase.kind) {
      case 'error':
        if (byte === 0x00) this.onBreak('byte');
        return;
      case 'sync':
        if (byte === SYNCH) this.phase = { kind: 'opcode' };
        else if (byte === 0x00) this.onBreak('byte');
        else {
          this.stats.framingErrors++;
          this.pesig = PESIG.FRAME;
        }
        return;
      case 'opcode':
      case 'collect':
        if (byte === 0x00 && idle >= this.breakIdleSeconds) {
          this.onBreak('idle-gap');
          return;
        }
        if (phase.kind === 'opcode') {
          this.phase = { kind: 'sync' };
          this.stats.instructions++;
          this.decode(byte);
        } else {
          phase.bytes.push(byte);
          if (phase.bytes.length === phase.need) {
            this.phase = { kind: 'sync' };
            phase.done(phase.bytes);
          }
        }
        return;
    }
  }

  /** A real BREAK condition (for transports that can signal one). */
  receiveBreak(): void {
    this.lastRxAt = this.o.clock.now();
    if (this.phase.kind === 'disabled') this.enable();
    else this.onBreak('signal');
  }

  // ---- state changes ------------------------------------------------------------------------

  private enable(): void {
    this.phase = { kind: 'sync' };
    this.ctrla = 0;
    this.ctrlb = 0;
    this.pesig = PESIG.NONE;
    this.repeat = 0;
    this.emit({ type: 'enabled' });
  }

  private onBreak(cause: 'byte' | 'idle-gap' | 'signal'): void {
    this.stats.breaks++;
    this.phase = { kind: 'sync' };
    this.repeat = 0;
    // A BREAK puts the UPDI clock back to its 4 MHz default.
    this.asiCtrla = UPDICLKSEL_4MHZ;
    log(`BREAK (${cause})`);
    this.emit({ type: 'break', cause });
  }

  private enterError(pesig: number, detail: string): void {
    this.pesig = pesig;
    this.phase = { kind: 'error' };
    log(`error state: ${detail}`);
    this.emit({ type: 'error', pesig, detail });
  }

  private disable(): void {
    const programmed = this.wroteNvm;
    this.keyStatus = 0;
    this.setModes(false, false);
    this.resetHeld = false;
    this.ctrla = 0;
    this.ctrlb = 0;
    this.repeat = 0;
    this.wroteNvm = false;
    this.phase = { kind: 'disabled' };
    this.updateCpuHold();
    log('UPDI disabled');
    this.emit({ type: 'disabled', programmed });
  }

  private setModes(nvmProg: boolean, urowProg: boolean): void {
    if (nvmProg !== this.nvmProg) this.emit({ type: 'progmode', mode: 'nvm', active: nvmProg });
    if (urowProg !== this.urowProg) this.emit({ type: 'progmode', mode: 'userrow', active: urowProg });
    this.nvmProg = nvmProg;
    this.urowProg = urowProg;
  }

  /** The CPU is held while a reset is requested or a programming mode is active. */
  private updateCpuHold(): void {
    const held = this.resetHeld || this.nvmProg || this.urowProg;
    if (held !== this.cpuHeld) {
      this.cpuHeld = held;
      this.o.control?.setResetHeld(held);
    }
  }

  private writeResetReq(value: number): void {
    if (value === RESET_REQ_SIGNATURE) {
      if (!this.resetHeld) {
        this.resetHeld = true;
        this.updateCpuHold();
        this.emit({ type: 'reset', held: true });
      }
      return;
    }
    if (!this.resetHeld) return;
    this.resetHeld = false;
    this.emit({ type: 'reset', held: false });
    this.releaseReset();
  }

  /** What a system reset does once released: keys take effect, lock bits are latched. */
  private releaseReset(): void {
    this.o.nvmctrl.reset();
    if (this.keyStatus & KEY_STATUS.CHIPERASE) {
      this.o.nvmctrl.chipErase();
      this.keyStatus &= ~KEY_STATUS.CHIPERASE;
      this.wroteNvm = true;
      log('chip erase by key');
      this.emit({ type: 'chip-erase' });
    }
    this.locked = this.o.memories.lockBitsSet;
    const urow = (this.keyStatus & KEY_STATUS.UROWWRITE) !== 0;
    if (urow && !this.urowProg) this.urowBuffer.fill(0xff);
    this.setModes((this.keyStatus & KEY_STATUS.NVMPROG) !== 0 && !this.locked, urow);
    this.updateCpuHold();
  }

  private sysStatus(): number {
    const urowBusy = this.o.clock.now() < this.urowFinishesAt;
    return (
      (this.resetHeld ? SYS_STATUS.RSTSYS : 0) |
      (this.nvmProg ? SYS_STATUS.NVMPROG : 0) |
      (this.urowProg || urowBusy ? SYS_STATUS.UROWPROG : 0) |
      (this.locked ? SYS_STATUS.LOCKSTATUS : 0)
    );
  }

  private readCs(address: number): number {
    switch (address) {
      case CS.STATUSA:
        return STATUSA_UPDIREV3;
      case CS.STATUSB: {
        const v = this.pesig;
        this.pesig = PESIG.NONE;
        return v;
      }
      case CS.CTRLA:
        return this.ctrla;
      case CS.CTRLB:
        return this.ctrlb;
      case CS.ASI_KEY_STATUS:
        return this.keyStatus;
      case CS.ASI_RESET_REQ:
        return this.resetHeld ? RESET_REQ_SIGNATURE : 0;
      case CS.ASI_CTRLA:
        return this.asiCtrla;
      case CS.ASI_SYS_CTRLA:
        return this.sysCtrla;
      case CS.ASI_SYS_STATUS:
        return this.sysStatus();
      case CS.ASI_CRC_STATUS:
        return 0; // CRC check not enabled (FUSE.SYSCFG0.CRCSRC = no CRC)
      default:
        return 0;
    }
  }

  private writeCs(address: number, value: number): void {
    switch (address) {
      case CS.CTRLA:
        this.ctrla = value & 0xbf;
        return;
      case CS.CTRLB:
        this.ctrlb = value & (CTRLB_BITS.NACKDIS | CTRLB_BITS.CCDETDIS | CTRLB_BITS.UPDIDIS);
        if (value & CTRLB_BITS.UPDIDIS) this.disable();
        return;
      case CS.ASI_KEY_STATUS:
        // Key status bits are cleared by writing one to them.
        this.keyStatus &= ~(value & (KEY_STATUS.UROWWRITE | KEY_STATUS.NVMPROG | KEY_STATUS.CHIPERASE));
        return;
      case CS.ASI_RESET_REQ:
        this.writeResetReq(value);
        return;
      case CS.ASI_CTRLA:
        this.asiCtrla = value & 0x03;
        return;
      case CS.ASI_SYS_CTRLA:
        this.sysCtrla = value & SYS_CTRLA_BITS.CLKREQ;
        if (value & SYS_CTRLA_BITS.UROWWRITE_FINAL) this.finishUserRow();
        return;
      default:
        return; // read-only or reserved
    }
  }

  private finishUserRow(): void {
    if (!this.urowProg) return;
    this.o.memories.userrow.set(this.urowBuffer);
    this.urowFinishesAt = this.o.clock.now() + this.o.nvmctrl.timings.pageEraseWrite;
    this.wroteNvm = true;
    this.setModes(this.nvmProg, false);
    this.updateCpuHold();
    log('user row written by key flow');
    this.emit({ type: 'userrow-written' });
  }

  private acceptKey(bytes: number[]): void {
    const text = String.fromCharCode(...[...bytes].reverse());
    const key = (Object.keys(KEYS) as KeyName[]).find((k) => KEYS[k] === text);
    if (key) this.keyStatus |= KEY_STATUS[key];
    log(`KEY ${key ?? 'unknown'} (${hexBytes(bytes)})`);
    this.emit({ type: 'key', key: key ?? 'unknown' });
  }

  // ---- system bus ---------------------------------------------------------------------------

  private busRead(address: number): number {
    if (this.locked) return 0;
    return this.o.dataSpace.read(address & 0xffff) & 0xff;
  }

  private busWrite(address: number, value: number): void {
    address &= 0xffff;
    if (this.urowProg) {
      // User-row key flow: the data lands in a 32-byte staging buffer that maps 1:1 onto the row.
      const base = address >= RAMSTART ? RAMSTART : NVM_ADDR.userrow;
      const offset = address - base;
      if (offset >= 0 && offset < USERROW_SIZE) this.urowBuffer[offset] = value;
      else this.stats.ignoredWrites++;
      return;
    }
    const nvm = NVM_WRITE_WINDOWS.some(([start, size]) => address >= start && address < start + size);
    if (this.locked || (nvm && !this.nvmProg)) {
      this.stats.ignoredWrites++;
      return;
    }
    if (nvm) this.wroteNvm = true;
    this.o.dataSpace.write(address, value);
  }

  // ---- instructions -------------------------------------------------------------------------

  private collect(need: number, done: (bytes: number[]) => void): void {
    if (need === 0) done([]);
    else this.phase = { kind: 'collect', need, bytes: [], done };
  }

  private send(bytes: number[]): void {
    const gtval = this.ctrla & CTRLA_BITS.GTVAL;
    const ibdly = (this.ctrla & CTRLA_BITS.IBDLY) !== 0;
    for (const b of bytes) {
      const idle = this.responding ? (ibdly ? IBDLY_BITS : 0) : GUARD_BITS[gtval];
      this.responding = true;
      this.stats.bytesSent++;
      this.o.transmit(b & 0xff, idle);
    }
  }

  private ack(): void {
    if (!(this.ctrla & CTRLA_BITS.RSD)) this.send([ACK]);
  }

  private decode(op: number): void {
    const group = op & 0xe0;
    switch (group) {
      case OPCODE.LDS:
      case OPCODE.STS: {
        const addrBytes = ((op >> 2) & 0x03) + 1;
        const dataBytes = (op & 0x03) + 1;
        if (addrBytes > 3 || dataBytes > 2) return this.enterError(PESIG.FRAME, `reserved size in 0x${op.toString(16)}`);
        this.collect(addrBytes, (a) => {
          const address = littleEndian(a);
          if (group === OPCODE.LDS) {
            log(`LDS 0x${address.toString(16)} ×${dataBytes}`);
            this.send(Array.from({ length: dataBytes }, (_, i) => this.busRead(address + i)));
            return;
          }
          this.ack();
          this.collect(dataBytes, (d) => {
            log(`STS 0x${address.toString(16)} = ${hexBytes(d)}`);
            d.forEach((v, i) => this.busWrite(address + i, v));
            this.ack();
          });
        });
        return;
      }
      case OPCODE.LD:
      case OPCODE.ST:
        return this.pointerInstruction(op);
      case OPCODE.LDCS:
        this.send([this.readCs(op & 0x0f)]);
        return;
      case OPCODE.STCS:
        this.collect(1, ([v]) => {
          log(`STCS ${op & 0x0f} = 0x${v.toString(16)}`);
          this.writeCs(op & 0x0f, v);
        });
        return;
      case OPCODE.REPEAT: {
        const size = (op & 0x03) + 1;
        if (size > 2) return this.enterError(PESIG.FRAME, `reserved REPEAT size in 0x${op.toString(16)}`);
        this.collect(size, (b) => {
          this.repeat = littleEndian(b);
          log(`REPEAT ${this.repeat + 1}`);
        });
        return;
      }
      case OPCODE.KEY: {
        const length = 8 << (op & 0x03);
        if (op & KEY_SIB) {
          log(`SIB ×${length}`);
          this.send((this.o.sib ?? sibBytes)(Math.min(length, 32)));
          return;
        }
        this.collect(length, (k) => this.acceptKey(k));
        return;
      }
    }
  }

  private pointerInstruction(op: number): void {
    const mode = (op >> 2) & 0x03;
    const size = (op & 0x03) + 1;
    const isLoad = (op & 0xe0) === OPCODE.LD;
    if (mode === PTR_MODE.ADDRESS) {
      if (isLoad) {
        this.send(Array.from({ length: size }, (_, i) => (this.pointer >> (8 * i)) & 0xff));
      } else {
        this.collect(size, (p) => {
          this.pointer = littleEndian(p);
          log(`ST ptr = 0x${this.pointer.toString(16)}`);
          this.ack();
        });
      }
      return;
    }
    if (mode > PTR_MODE.ADDRESS || size > 2) {
      return this.enterError(PESIG.FRAME, `reserved pointer mode or size in 0x${op.toString(16)}`);
    }
    const count = this.repeat + 1;
    this.repeat = 0;
    const step = mode === PTR_MODE.INC ? size : 0;
    if (isLoad) {
      const out: number[] = [];
      for (let n = 0; n < count; n++) {
        for (let i = 0; i < size; i++) out.push(this.busRead(this.pointer + i));
        this.pointer = (this.pointer + step) & 0xffffff;
      }
      log(`LD ×${count}×${size}${step ? ' ptr++' : ''}`);
      this.send(out);
      return;
    }
    log(`ST ×${count}×${size}${step ? ' ptr++' : ''} at 0x${this.pointer.toString(16)}`);
    let remaining = count;
    const next = (): void => {
      this.collect(size, (d) => {
        d.forEach((v, i) => this.busWrite(this.pointer + i, v));
        this.pointer = (this.pointer + step) & 0xffffff;
        this.ack();
        if (--remaining > 0) next();
      });
    };
    next();
  }

  private emit(event: UpdiEvent): void {
    this.o.onEvent?.(event);
  }
}
