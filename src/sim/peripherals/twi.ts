// TWI0 (0x08A0), the client (slave) side; the host registers exist as storage only.
//
// Datasheet client behaviour (TWI "Client Operation", SCTRLA/SCTRLB/SSTATUS register pages):
// - On an address match (SADDR, the second address or mask in SADDRMASK, general call when SADDR bit 0 is set,
//   anything with PMEN) the client sets SSTATUS.APIF with AP = 1 and DIR = the R/W bit, and holds SCL (CLKHOLD)
//   until software answers with SCTRLB.SCMD. A received data byte sets DIF and holds SCL the same way. In a host
//   read, DIF asks for the next byte: software writes SDATA and then SCMD = RESPONSE to send it; RXACK tells
//   whether the host acknowledged it.
// - SCMD RESPONSE: host write → perform the acknowledge action (ACKACT: 0 ACK, 1 NACK) and receive the next byte;
//   host read → transmit SDATA. COMPTRANS: (host write) acknowledge action, then ignore the bus until the next
//   START; (host read) wait for the next START. With SMEN, reading SDATA performs the acknowledge action and, in a
//   host read, writing SDATA sends the byte.
// - DIF and APIF clear on SDATA access, on any SCMD write, or by writing 1. A STOP sets APIF (AP = 0) only when
//   SCTRLA.PIEN is set.
// - The TWI0_TWIS vector (14) is requested by APIF & APIEN or DIF & DIEN. Address match wakes every sleep mode.
// The bus side is driven by the virtual host (i2c-host.ts) through the `host*` methods.

import { Peripheral, type ChipContext } from './peripheral.js';

export const TWI0_BASE = 0x08a0;
export const TWI0_TWIS_VECTOR = 14;
const SCTRLA = 0x09;
const SCTRLB = 0x0a;
const SSTATUS = 0x0b;
const SADDR = 0x0c;
const SDATA = 0x0d;
const SADDRMASK = 0x0e;

const ENABLE = 0x01;
const SMEN = 0x02;
const PMEN = 0x04;
const PIEN = 0x20;
const APIEN = 0x40;
const DIEN = 0x80;

const AP = 0x01;
const DIR = 0x02;
const BUSERR = 0x04;
const COLL = 0x08;
const RXACK = 0x10;
const CLKHOLD = 0x20;
const APIF = 0x40;
const DIF = 0x80;

const ACKACT_NACK = 0x04;
const SCMD_COMPTRANS = 2;
const SCMD_RESPONSE = 3;

/** Where the client is in a transaction, as the host sees it. */
type ClientState =
  | 'idle' // not addressed (or ignoring the bus until the next START)
  | 'address' // address matched, waiting for software to ACK/NACK it
  | 'receive' // host write: ready for the next byte
  | 'received' // host write: byte in SDATA, waiting for software to ACK/NACK it
  | 'transmit' // host read: waiting for software to supply and send a byte
  | 'sent'; // host read: byte on the bus, waiting for the host's ACK/NACK

export class Twi implements Peripheral {
  readonly name = 'TWI0';
  readonly base = TWI0_BASE;
  readonly size = 0x10;
  private readonly regs = new Uint8Array(0x10);
  private status = 0;
  private sdata = 0;
  private state: ClientState = 'idle';
  /** What the client answered to the last address/data byte: true = ACK. Undefined while still holding SCL. */
  private ackResult: boolean | undefined;
  /** The byte the client put on the bus in a host read (undefined while it has not sent one). */
  private sent: number | undefined;

  constructor(private readonly ctx: ChipContext) {}

  reset(): void {
    this.regs.fill(0);
    this.status = 0;
    this.sdata = 0;
    this.state = 'idle';
    this.ackResult = undefined;
    this.sent = undefined;
    this.updateIrq();
  }

  private get sctrla(): number {
    return this.regs[SCTRLA]!;
  }

  /** True while the client stretches SCL. */
  get holding(): boolean {
    return (this.status & CLKHOLD) !== 0;
  }

  private hold(flag: number): void {
    this.status |= flag | CLKHOLD;
    this.updateIrq();
  }

  private release(): void {
    this.status &= ~CLKHOLD;
  }

  private clearFlags(): void {
    this.status &= ~(DIF | APIF);
  }

  private updateIrq(): void {
    const a = this.sctrla;
    const req = (this.status & APIF && a & APIEN) || (this.status & DIF && a & DIEN);
    this.ctx.interrupts.setRequest(TWI0_TWIS_VECTOR, !!req);
  }

  private matches(address7: number): boolean {
    const saddr = this.regs[SADDR]!;
    const mask = this.regs[SADDRMASK]!;
    if (this.sctrla & PMEN) return true;
    if (address7 === 0 && saddr & 0x01) return true; // general call
    if (mask & 0x01) return address7 === saddr >> 1 || address7 === mask >> 1;
    return ((address7 ^ (saddr >> 1)) & ~(mask >> 1) & 0x7f) === 0;
  }

  /** Acknowledge action from ACKACT. */
  private ackAction(): boolean {
    return (this.regs[SCTRLB]! & ACKACT_NACK) === 0;
  }

  // ---- bus side (called by the virtual host) ----------------------------------------------------------------

  /** START (or repeated START) + address byte. Returns false if nobody acknowledges at the address level. */
  hostAddress(addressByte: number): 'nack' | 'hold' {
    this.sent = undefined;
    this.ackResult = undefined;
    if (!(this.sctrla & ENABLE) || !this.matches(addressByte >> 1)) {
      this.state = 'idle';
      return 'nack';
    }
    this.state = 'address';
    this.status = (this.status & ~(AP | DIR | RXACK)) | AP | (addressByte & 1 ? DIR : 0);
    this.hold(APIF);
    return 'hold';
  }

  /** The answer to the address or to the last written byte, once software released SCL. */
  get acknowledged(): boolean | undefined {
    return this.ackResult;
  }

  /** Host write: one data byte. */
  hostWrite(byte: number): 'nack' | 'hold' {
    if (this.state !== 'receive') return 'nack';
    this.sdata = byte & 0xff;
    this.state = 'received';
    this.ackResult = undefined;
    this.hold(DIF);
    return 'hold';
  }

  /** Host read: the byte the client has put on the bus (0xFF when it let SDA float), then the host's ACK/NACK. */
  hostRead(ack: boolean): number {
    const byte = this.state === 'sent' ? this.sent! : 0xff;
    if (this.state === 'sent') {
      this.status = ack ? this.status & ~RXACK : this.status | RXACK;
      this.sent = undefined;
      if (ack) {
        this.state = 'transmit';
        this.hold(DIF);
      } else {
        // The host ends the read; software sees DIF with RXACK = 1 and completes the transaction.
        this.state = 'idle';
        this.status |= DIF;
        this.updateIrq();
      }
    }
    return byte;
  }

  /** True when, in a host read, the client has put a byte on the bus. */
  get byteReady(): boolean {
    return this.state === 'sent';
  }

  hostStop(): void {
    const wasAddressed = this.state !== 'idle' || this.status & AP;
    this.state = 'idle';
    this.release();
    if (wasAddressed && this.sctrla & PIEN && this.sctrla & ENABLE) {
      this.status = (this.status & ~AP) | APIF;
    }
    this.updateIrq();
  }

  // ---- software side ------------------------------------------------------------------------------------------

  private command(scmd: number): void {
    if (scmd !== SCMD_COMPTRANS && scmd !== SCMD_RESPONSE) return;
    this.clearFlags();
    const reading = (this.status & DIR) !== 0;
    switch (this.state) {
      case 'address':
      case 'received': {
        this.ackResult = scmd === SCMD_COMPTRANS && reading ? false : this.ackAction();
        if (!this.ackResult || scmd === SCMD_COMPTRANS) this.state = 'idle';
        else if (reading) {
          this.state = 'transmit';
          this.release();
          this.hold(DIF); // data needed for the host read
          return;
        } else this.state = 'receive';
        this.release();
        break;
      }
      case 'transmit':
        if (scmd === SCMD_RESPONSE) {
          this.sent = this.sdata;
          this.state = 'sent';
        } else this.state = 'idle';
        this.release();
        break;
      default:
        this.release();
    }
    this.updateIrq();
  }

  read(offset: number): number {
    switch (offset) {
      case SSTATUS:
        return this.status;
      case SCTRLB:
        return this.regs[SCTRLB]! & ACKACT_NACK; // SCMD reads 0
      case SDATA: {
        const v = this.sdata;
        this.clearFlags();
        if (this.sctrla & SMEN && this.state === 'received') this.command(SCMD_RESPONSE);
        else this.updateIrq();
        return v;
      }
      default:
        if (offset >= 0x03 && offset <= 0x08) this.ctx.unimplemented('TWI0 host mode');
        return this.regs[offset]!;
    }
  }

  write(offset: number, value: number): void {
    switch (offset) {
      case SCTRLA:
        this.regs[SCTRLA] = value & 0xe7;
        if (!(value & ENABLE)) {
          this.state = 'idle';
          this.release();
        }
        this.updateIrq();
        return;
      case SCTRLB:
        this.regs[SCTRLB] = value & ACKACT_NACK;
        this.command(value & 0x03);
        return;
      case SSTATUS:
        this.status &= ~(value & (DIF | APIF | COLL | BUSERR));
        this.updateIrq();
        return;
      case SDATA:
        this.sdata = value & 0xff;
        this.clearFlags();
        if (this.sctrla & SMEN && this.state === 'transmit') this.command(SCMD_RESPONSE);
        else this.updateIrq();
        return;
      case SADDR:
      case SADDRMASK:
        this.regs[offset] = value;
        return;
      default:
        this.regs[offset] = value;
        if (offset >= 0x03 && offset <= 0x08) this.ctx.unimplemented('TWI0 host mode');
    }
  }

  wakeVectors(): number {
    return 1 << TWI0_TWIS_VECTOR;
  }
}
