// A virtual I2C host on the chip's TWI0 pins. Each call is one transaction (START … STOP); while the client
// stretches SCL the host lets the emulation run (the firmware's TWI interrupt answers), up to `stretchTimeout`.
// Bus time is counted in bit periods at `busHz` (9 per byte incl. ACK, one each for START, STOP).

import { LtobmsError } from '../../errors.js';
import type { Twi } from './twi.js';

export interface I2cHostOptions {
  /** SCL frequency (default 100 kHz, standard mode). */
  busHz?: number;
  /** Longest clock stretch the host tolerates, in seconds (default 0.1 s). */
  stretchTimeout?: number;
}

export interface I2cWriteResult {
  /** The client acknowledged its address. */
  addressAck: boolean;
  /** Data bytes the client acknowledged (the write stops at the first NACK). */
  written: number;
}

export interface I2cReadResult {
  addressAck: boolean;
  /** The bytes read (empty when the address was not acknowledged). */
  data: number[];
}

/** The part of the chip the host needs: time and a way to run the emulation. */
export interface I2cBus {
  readonly time: number;
  runUntil(t: number): unknown;
}

export class I2cHost {
  readonly busHz: number;
  readonly stretchTimeout: number;

  constructor(
    private readonly bus: I2cBus,
    private readonly twi: Twi,
    options: I2cHostOptions = {},
  ) {
    this.busHz = options.busHz ?? 100_000;
    this.stretchTimeout = options.stretchTimeout ?? 0.1;
  }

  private bits(n: number): void {
    this.bus.runUntil(this.bus.time + n / this.busHz);
  }

  /** Runs the emulation until `done()` or the stretch timeout. */
  private waitFor(what: string, address: number, done: () => boolean): void {
    const deadline = this.bus.time + this.stretchTimeout;
    const step = 1 / this.busHz;
    while (!done()) {
      if (this.bus.time >= deadline) {
        throw new LtobmsError(
          `virtual I2C host: the client at 0x${address.toString(16)} held SCL longer than ${this.stretchTimeout * 1000} ms (${what})`,
          {
            code: 'SIM_I2C_STRETCH',
            hint: 'the firmware did not answer its TWI interrupt; check that TWI0 is enabled with APIEN/DIEN and sei()',
          },
        );
      }
      this.bus.runUntil(this.bus.time + step);
    }
  }

  private address(address: number, read: boolean): boolean {
    this.bits(1 + 8); // START, 7 address bits + R/W
    if (this.twi.hostAddress((address << 1) | (read ? 1 : 0)) === 'nack') {
      this.bits(1);
      return false;
    }
    this.waitFor('address', address, () => this.twi.acknowledged !== undefined);
    this.bits(1);
    return this.twi.acknowledged === true;
  }

  private writeBytes(address: number, bytes: ArrayLike<number>): number {
    let written = 0;
    for (let i = 0; i < bytes.length; i++) {
      this.bits(8);
      if (this.twi.hostWrite(bytes[i]!) === 'nack') {
        this.bits(1);
        break;
      }
      this.waitFor(`data byte ${i}`, address, () => this.twi.acknowledged !== undefined);
      this.bits(1);
      if (!this.twi.acknowledged) break;
      written++;
    }
    return written;
  }

  private readBytes(address: number, count: number): number[] {
    const data: number[] = [];
    for (let i = 0; i < count; i++) {
      this.waitFor(`read byte ${i}`, address, () => this.twi.byteReady || !this.twi.holding);
      this.bits(8);
      data.push(this.twi.hostRead(i < count - 1));
      this.bits(1);
    }
    return data;
  }

  private stop(): void {
    this.bits(1);
    this.twi.hostStop();
  }

  /** START, address + W, the bytes, STOP. */
  write(address: number, bytes: ArrayLike<number>): I2cWriteResult {
    const addressAck = this.address(address, false);
    const written = addressAck ? this.writeBytes(address, bytes) : 0;
    this.stop();
    return { addressAck, written };
  }

  /** START, address + R, `count` bytes (ACK on all but the last), STOP. */
  read(address: number, count: number): I2cReadResult {
    const addressAck = this.address(address, true);
    const data = addressAck ? this.readBytes(address, count) : [];
    this.stop();
    return { addressAck, data };
  }

  /** Register read as INA260-style drivers do it: write the pointer, repeated START, read `count` bytes, STOP. */
  writeRead(address: number, bytes: ArrayLike<number>, count: number): I2cReadResult {
    let addressAck = this.address(address, false);
    if (addressAck && this.writeBytes(address, bytes) === bytes.length) {
      addressAck = this.address(address, true);
      const data = addressAck ? this.readBytes(address, count) : [];
      this.stop();
      return { addressAck, data };
    }
    this.stop();
    return { addressAck, data: [] };
  }
}
