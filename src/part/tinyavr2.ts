/**
 * The tinyAVR 2-series as data, the one place the programmer, the firmware build, the EEPROM tools
 * and the emulator take the part's facts from: the data-space layout every 2-series part shares,
 * the signature row, the lock byte, and one row per part (signature, flash and EEPROM sizes and
 * pages). Fuses: ./fuses.ts; the board's own part with its SRAM: ./attiny824.ts.
 *
 * Sources (ATTINY824_FACTS.md §1.1, §1.3): avr-libc io headers (iotn824.h …), avrdude 7.1
 * avrdude.conf parts t424 … t3227; all 2-series parts have the P:0 NVM controller.
 */
import { FUSE_NAMES } from './fuses.js';

/** Offsets inside the 64-byte signature row (avr-libc SIGROW_t). */
export const SIGROW_OFFSET = {
  deviceId: 0x00,
  serialNumber: 0x03,
  osccal16m: 0x18,
  osccal20m: 0x1a,
  tempsense0: 0x20,
  tempsense1: 0x21,
} as const;
export const SIGROW_SIZE = 64;
/** SERNUM0..9: the part's unique ID. */
export const SERIAL_NUMBER_SIZE = 10;

const SIGROW_BASE = 0x1100;

/** Data-space addresses shared by the tinyAVR 2-series (the UPDI and the CPU see the same map). */
export const DATA_SPACE = {
  /** I/O registers occupy 0x0000 up to here (avr-libc IO_SIZE 4352). */
  IO_END: 0x1100,
  SYSCFG_REVID: 0x0f01,
  NVMCTRL: 0x1000,
  SIGROW: SIGROW_BASE,
  SERNUM: SIGROW_BASE + SIGROW_OFFSET.serialNumber,
  FUSES: 0x1280,
  LOCKBIT: 0x128a,
  USERROW: 0x1300,
  EEPROM: 0x1400,
  /** SRAM ends here on every 2-series part; where it starts depends on its size (./attiny824.ts). */
  RAMEND: 0x3fff,
  /** Flash as LD/ST (and the UPDI) see it. */
  MAPPED_FLASH: 0x8000,
} as const;

/** LOCKBIT values (avr-libc LB_*): 0xC5 leaves the part open; anything else locks it. */
export const LOCKBIT = { NOLOCK: 0xc5, RWLOCK: 0x3a } as const;

/** The user row (user signatures): 32 bytes on every 2-series part. */
export const USERROW_SIZE = 32;

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
  /** Named fuse bytes at 0x1280.. (WDTCFG … BOOTEND, see ./fuses.ts); 3 and 4 are reserved. */
  fuseCount: number;
  /** Data-space addresses. */
  flashBase: number;
  eepromBase: number;
  userRowBase: number;
  fuseBase: number;
  lockAddress: number;
  sigrowBase: number;
}

function part(name: string, avrdudeId: string, sig2: number, sig3: number, flashKb: number, flashPage: number, eeprom: number, eepromPage: number): DeviceInfo {
  return {
    name,
    avrdudeId,
    signature: [0x1e, sig2, sig3],
    flashSize: flashKb * 1024,
    flashPageSize: flashPage,
    eepromSize: eeprom,
    eepromPageSize: eepromPage,
    userRowSize: USERROW_SIZE,
    fuseCount: FUSE_NAMES.length,
    flashBase: DATA_SPACE.MAPPED_FLASH,
    eepromBase: DATA_SPACE.EEPROM,
    userRowBase: DATA_SPACE.USERROW,
    fuseBase: DATA_SPACE.FUSES,
    lockAddress: DATA_SPACE.LOCKBIT,
    sigrowBase: DATA_SPACE.SIGROW,
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

export function deviceBySignature(sig: ArrayLike<number>): DeviceInfo | undefined {
  return DEVICES.find((d) => d.signature.every((b, i) => sig[i] === b));
}

/** Looks up a part by name ("ATtiny824", "attiny824", "t824", "tiny824"). */
export function deviceByName(name: string): DeviceInfo | undefined {
  const n = name.toLowerCase().replace(/^(attiny|tiny|t)/, '');
  return DEVICES.find((d) => d.avrdudeId === `t${n}`);
}
