/**
 * UPDI link layer: one method per instruction (names from the data sheet), 16-bit addressing
 * (NVM interface P:0), ACK checks, and `Burst` for sending several instructions as one write.
 *
 * With response-signature-disable (CTRLA.RSD) the target sends no ACK after ST/STS, so a burst of
 * stores goes out without waiting; only loads (LDCS/LDS/LD, the SIB) make the host wait for an
 * answer. Without RSD every store waits for its ACK and checks it.
 */
import type { UpdiPhysical } from './physical.js';
import { ACK, ADDR16, CS, CTRLA, CTRLB, KEY_64, KEY_SIB_32, OP, PTR, REPEAT_MAX, SIZE, SYNCH } from './constants.js';
import { UpdiError } from './errors.js';
import { debug } from '../util/debug.js';
import { hex, hex2, hexBytes } from '../util/hex.js';

const log = debug('ltobms:updi:link');

export type DataSize = 1 | 2;

/** Several instructions sent as one write; `reply` counts the answer bytes they produce. */
export class Burst {
  private readonly bytes: number[] = [];
  /** Answer bytes the target will send (LDCS/LDS/LD data). */
  reply = 0;
  /** CTRLA value after this burst (tracks RSD). */
  ctrlA: number;
  /** Human-readable list of the instructions, for debug output. */
  readonly ops: string[] = [];

  constructor(ctrlA: number) {
    this.ctrlA = ctrlA;
  }

  get rsd(): boolean {
    return (this.ctrlA & CTRLA.RSD) !== 0;
  }

  get length(): number {
    return this.bytes.length;
  }

  ldcs(reg: number): this {
    this.op(`ldcs ${reg}`, OP.LDCS | reg);
    this.reply += 1;
    return this;
  }

  stcs(reg: number, value: number): this {
    this.op(`stcs ${reg}=${hex(value, 2)}`, OP.STCS | reg, value);
    if (reg === CS.CTRLA) this.ctrlA = value;
    return this;
  }

  lds(address: number, size: DataSize = 1): this {
    this.op(`lds ${hex(address)}`, OP.LDS | ADDR16 | sizeField(size), address & 0xff, address >> 8);
    this.reply += size;
    return this;
  }

  /** STS of one byte or word; needs RSD (no ACKs) inside a burst. */
  sts(address: number, data: readonly number[]): this {
    this.requireRsd('sts');
    const size = data.length as DataSize;
    this.op(`sts ${hex(address)}`, OP.STS | ADDR16 | sizeField(size), address & 0xff, address >> 8);
    this.bytes.push(...data);
    return this;
  }

  /** Sets the pointer register; needs RSD inside a burst. */
  stPtr(address: number): this {
    this.requireRsd('st ptr');
    this.op(`st ptr=${hex(address)}`, OP.ST | PTR.address | SIZE.word, address & 0xff, address >> 8);
    return this;
  }

  repeat(count: number): this {
    if (count < 1 || count > REPEAT_MAX) throw new RangeError(`REPEAT count ${count} out of 1..${REPEAT_MAX}`);
    this.op(`repeat ${count}`, OP.REPEAT | SIZE.byte, count - 1);
    return this;
  }

  /** LD *ptr++ `count` times (with REPEAT when count > 1). */
  ldInc(count: number, size: DataSize): this {
    if (count > 1) this.repeat(count);
    this.op(`ld *ptr++ x${count}`, OP.LD | PTR.inc | sizeField(size));
    this.reply += count * size;
    return this;
  }

  /** ST *ptr++ of `data` in units of `size` (with REPEAT); needs RSD. */
  stInc(data: Uint8Array, size: DataSize): this {
    this.requireRsd('st *ptr++');
    const count = data.length / size;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`st *ptr++: ${data.length} bytes is not a whole number of ${size}-byte units`);
    if (count > 1) this.repeat(count);
    this.op(`st *ptr++ x${count}`, OP.ST | PTR.inc | sizeField(size));
    for (const b of data) this.bytes.push(b);
    return this;
  }

  key(keyBytes: Uint8Array): this {
    this.op('key', KEY_64, ...keyBytes);
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private op(name: string, opcode: number, ...operands: number[]): void {
    this.ops.push(name);
    this.bytes.push(SYNCH, opcode, ...operands);
  }

  private requireRsd(what: string): void {
    if (!this.rsd) throw new Error(`${what} in a burst needs response-signature-disable (CTRLA.RSD)`);
  }
}

function sizeField(size: DataSize): number {
  return size === 2 ? SIZE.word : SIZE.byte;
}

export class UpdiLink {
  /** Last value written to CTRLA (tracks RSD). */
  private ctrlA = 0;

  constructor(readonly phy: UpdiPhysical) {}

  get rsd(): boolean {
    return (this.ctrlA & CTRLA.RSD) !== 0;
  }

  get ctrlAValue(): number {
    return this.ctrlA;
  }

  /** A new burst starting from the current CTRLA state. */
  burst(): Burst {
    return new Burst(this.ctrlA);
  }

  /** Sends a burst; waits only if it has answer bytes (or `settle`), and returns them. */
  async run(burst: Burst, what: string, settle = false): Promise<Uint8Array> {
    if (log.enabled) log(`${what}: ${burst.ops.join('; ')}`);
    const bytes = burst.toBytes();
    let answer: Uint8Array;
    if (burst.reply > 0 || settle) answer = await this.phy.exchange(bytes, burst.reply, what);
    else {
      await this.phy.send(bytes, what);
      answer = new Uint8Array(0);
    }
    this.ctrlA = burst.ctrlA;
    return answer;
  }

  /** Link start-up (facts §4.2): collision detection off, CTRLA as given, then STATUSA must be non-zero. */
  async init(ctrlA: number): Promise<number> {
    const b = this.burst().stcs(CS.CTRLB, CTRLB.CCDETDIS).stcs(CS.CTRLA, ctrlA).ldcs(CS.STATUSA);
    const [statusA] = await this.run(b, 'link init');
    if (!statusA) throw new UpdiError('LINK', 'the UPDI link does not answer (STATUSA reads 0)');
    return statusA;
  }

  /** After a failed transaction the CTRLA state is unknown; assume the reset default. */
  forgetState(): void {
    this.ctrlA = 0;
  }

  async ldcs(reg: number): Promise<number> {
    const [v] = await this.run(this.burst().ldcs(reg), `ldcs ${reg}`);
    return v!;
  }

  async stcs(reg: number, value: number): Promise<void> {
    await this.run(this.burst().stcs(reg, value), `stcs ${reg}`);
  }

  async lds(address: number, size: DataSize = 1): Promise<Uint8Array> {
    return this.run(this.burst().lds(address, size), `lds ${hex(address)}`);
  }

  /** STS of a byte or word; with ACK checks after the address and after the data unless RSD is on. */
  async sts(address: number, data: readonly number[]): Promise<void> {
    const what = `sts ${hex(address)}`;
    if (this.rsd) {
      await this.run(this.burst().sts(address, data), what);
      return;
    }
    const size = data.length as DataSize;
    await this.expectAck(Uint8Array.of(SYNCH, OP.STS | ADDR16 | sizeField(size), address & 0xff, address >> 8), `${what} (address)`);
    await this.expectAck(Uint8Array.from(data), `${what} (data)`);
  }

  async stPtr(address: number): Promise<void> {
    const what = `st ptr=${hex(address)}`;
    if (this.rsd) await this.run(this.burst().stPtr(address), what);
    else await this.expectAck(Uint8Array.of(SYNCH, OP.ST | PTR.address | SIZE.word, address & 0xff, address >> 8), what);
  }

  async repeat(count: number): Promise<void> {
    await this.run(this.burst().repeat(count), `repeat ${count}`);
  }

  /** LD *ptr++ `count` units of `size` bytes (REPEAT included). */
  async ldInc(count: number, size: DataSize): Promise<Uint8Array> {
    return this.run(this.burst().ldInc(count, size), `ld *ptr++ x${count}`);
  }

  /** ST *ptr++ with REPEAT: one write with RSD, else an ACK check per unit (slow path). */
  async stInc(data: Uint8Array, size: DataSize): Promise<void> {
    if (this.rsd) {
      await this.run(this.burst().stInc(data, size), `st *ptr++ ${data.length} B`);
      return;
    }
    const count = data.length / size;
    if (count > 1) await this.repeat(count);
    await this.phy.send(Uint8Array.of(SYNCH, OP.ST | PTR.inc | sizeField(size)), 'st *ptr++');
    for (let i = 0; i < data.length; i += size) await this.expectAck(data.subarray(i, i + size), `st *ptr++ unit ${i / size}`);
  }

  async key(keyBytes: Uint8Array, name: string): Promise<void> {
    await this.run(this.burst().key(keyBytes), `key ${name}`);
  }

  /** The 32-byte System Information Block (KEY with the SIB bit, 256-bit size). */
  async readSib(): Promise<Uint8Array> {
    return this.phy.exchange(Uint8Array.of(SYNCH, KEY_SIB_32), 32, 'read SIB');
  }

  private async expectAck(bytes: Uint8Array, what: string): Promise<void> {
    const [ack] = await this.phy.exchange(bytes, 1, what);
    if (ack !== ACK) {
      throw new UpdiError('NACK', `${what}: expected ACK 0x40, received 0x${hex2(ack!)}`, {
        details: { received: ack, sent: hexBytes(bytes) },
      });
    }
  }
}
