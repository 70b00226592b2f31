/**
 * The tinyAVR 2-series parts this programmer knows, as data. Values: avrdude 7.1 avrdude.conf
 * (signature, flash/EEPROM size and page size) and avr-libc io headers; all 2-series parts share the
 * data-space layout (SIGROW 0x1100, FUSES 0x1280, USERROW 0x1300, EEPROM 0x1400, flash mapped at 0x8000)
 * and the P:0 NVM controller.
 */
import { ADDRESS } from './constants.js';
import { UpdiError } from './errors.js';
import { hexBytes } from '../util/hex.js';

export interface DeviceInfo {
  name: string;
  /** avrdude part id (-p). */
  avrdudeId: string;
  signature: readonly [number, number, number];
  flashSize: number;
  flashPageSize: number;
  eepromSize: number;
  eepromPageSize: number;
  userRowSize: number;
  /** Named fuse bytes at 0x1280.. (WDTCFG … BOOTEND); 3 and 4 are reserved. */
  fuseCount: number;
  /** Data-space addresses. */
  flashBase: number;
  eepromBase: number;
  userRowBase: number;
  fuseBase: number;
  lockAddress: number;
  sigrowBase: number;
}

/** Fuse offsets that are reserved on the 2-series (never written). */
export const RESERVED_FUSES: readonly number[] = [3, 4];

function part(name: string, avrdudeId: string, sig2: number, sig3: number, flashKb: number, flashPage: number, eeprom: number, eepromPage: number): DeviceInfo {
  return {
    name,
    avrdudeId,
    signature: [0x1e, sig2, sig3],
    flashSize: flashKb * 1024,
    flashPageSize: flashPage,
    eepromSize: eeprom,
    eepromPageSize: eepromPage,
    userRowSize: 32,
    fuseCount: 9,
    flashBase: ADDRESS.MAPPED_FLASH,
    eepromBase: ADDRESS.EEPROM,
    userRowBase: ADDRESS.USERROW,
    fuseBase: ADDRESS.FUSES,
    lockAddress: ADDRESS.LOCKBIT,
    sigrowBase: ADDRESS.SIGROW,
  };
}

export const DEVICES: readonly DeviceInfo[] = [
  part('ATtiny424', 't424', 0x92, 0x2c, 4, 64, 128, 32),
  part('ATtiny426', 't426', 0x92, 0x2b, 4, 64, 128, 32),
  part('ATtiny427', 't427', 0x92, 0x2a, 4, 64, 128, 32),
  part('ATtiny824', 't824', 0x93, 0x29, 8, 64, 128, 32),
  part('ATtiny826', 't826', 0x93, 0x28, 8, 64, 128, 32),
  part('ATtiny827', 't827', 0x93, 0x27, 8, 64, 128, 32),
  part('ATtiny1624', 't1624', 0x94, 0x2a, 16, 64, 256, 32),
  part('ATtiny1626', 't1626', 0x94, 0x29, 16, 64, 256, 32),
  part('ATtiny1627', 't1627', 0x94, 0x28, 16, 64, 256, 32),
  part('ATtiny3224', 't3224', 0x95, 0x28, 32, 128, 256, 64),
  part('ATtiny3226', 't3226', 0x95, 0x27, 32, 128, 256, 64),
  part('ATtiny3227', 't3227', 0x95, 0x26, 32, 128, 256, 64),
];

/** The board's part. */
export const ATTINY824 = DEVICES.find((d) => d.name === 'ATtiny824')!;

export function deviceBySignature(sig: ArrayLike<number>): DeviceInfo | undefined {
  return DEVICES.find((d) => d.signature.every((b, i) => sig[i] === b));
}

/** Looks up a part by name ("ATtiny824", "attiny824", "t824", "tiny824"). */
export function deviceByName(name: string): DeviceInfo | undefined {
  const n = name.toLowerCase().replace(/^(attiny|tiny|t)/, '');
  return DEVICES.find((d) => d.avrdudeId === `t${n}`);
}

/** The device for a signature read from a part, or a SIGNATURE error. */
export function requireDevice(sig: Uint8Array): DeviceInfo {
  const d = deviceBySignature(sig);
  if (!d) {
    const allSame = sig.every((b) => b === sig[0]);
    throw new UpdiError('SIGNATURE', `unknown device signature ${hexBytes(sig)}${allSame ? ' (the part may be locked or not responding)' : ''}`, {
      hint: `this programmer knows the tinyAVR 2-series (${DEVICES.map((x) => x.name.replace('ATtiny', '')).join(', ')})`,
      details: { signature: hexBytes(sig) },
    });
  }
  return d;
}
