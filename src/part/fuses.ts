/**
 * tinyAVR 2-series fuse bytes (FUSE at 0x1280 + n, ATTINY824_FACTS.md §1.2): layout, factory
 * values, decoding into fields, and the one check that matters before writing them
 * (SYSCFG0.RSTPINCFG must keep the pin as UPDI).
 */

/** The named fuse bytes, by offset; 3 and 4 are reserved. */
export const FUSE_NAMES = ['WDTCFG', 'BODCFG', 'OSCCFG', 'reserved3', 'reserved4', 'SYSCFG0', 'SYSCFG1', 'APPEND', 'BOOTEND'] as const;
/** Fuse offsets by name. */
export const FUSE = { WDTCFG: 0, BODCFG: 1, OSCCFG: 2, SYSCFG0: 5, SYSCFG1: 6, APPEND: 7, BOOTEND: 8 } as const;
/** A named (not reserved) fuse. */
export type FuseName = keyof typeof FUSE;
/** Fuse offsets that are reserved (never written). */
export const RESERVED_FUSES: readonly number[] = [3, 4];
/** The fuse window 0x1280–0x1289 (avr-libc FUSES_SIZE): the named bytes and one unnamed. */
export const FUSE_BYTES = 10;
/** SYSCFG0 bit 0: chip erase keeps the EEPROM. */
export const SYSCFG0_EESAVE = 0x01;

/**
 * Factory fuse values: the avr-libc `FUSE_*_DEFAULT` values for the named fuses
 * (WDTCFG 0x00, BODCFG 0x00, OSCCFG 0x7E, SYSCFG0 0xF6, SYSCFG1 0xFF, APPEND 0x00, BOOTEND 0x00);
 * the reserved bytes 3, 4 and 9 read as erased (0xFF).
 */
export const FUSE_DEFAULTS: readonly number[] = [0x00, 0x00, 0x7e, 0xff, 0xff, 0xf6, 0xff, 0x00, 0x00, 0xff];
/** RSTPINCFG[3:2] values. */
export const RSTPINCFG = ['GPIO', 'UPDI', 'RESET', 'PDIRST'] as const;

const WDT_PERIODS = ['off', '8 cycles', '16 cycles', '32 cycles', '64 cycles', '128 cycles', '256 cycles', '512 cycles', '1K cycles', '2K cycles', '4K cycles', '8K cycles'];
/** BODCFG.SLEEP; ACTIVE shares the first three and gives 3 its own meaning. */
const BOD_MODES = ['disabled', 'enabled', 'sampled', 'reserved'];
const BOD_ACTIVE_3 = 'enabled, wake-up waits for the BOD';
/** BODCFG.LVL on the 2-series: all eight levels exist (ATtiny1624/3224 data sheets, BODCFG). */
const BOD_LEVELS = ['1.8 V', '2.15 V', '2.6 V', '2.95 V', '3.3 V', '3.7 V', '4.0 V', '4.3 V'];
/** SYSCFG0.CRCSRC (avr-libc CRCSRC_FLASH/BOOT/BOOTAPP/NOCRC). */
const CRC_SOURCES = ['CRC of whole flash', 'CRC of boot section', 'CRC of boot and application', 'no CRC'];
const SUT_MS = [0, 1, 2, 4, 8, 16, 32, 64];

export interface DecodedFuses {
  raw: number[];
  WDTCFG: { period: string; window: string };
  BODCFG: { sleep: string; active: string; sampleFreq: string; level: string };
  OSCCFG: { frequency: string; oscLock: boolean };
  SYSCFG0: { eesave: boolean; rstPinCfg: string; toutDis: boolean; crcSrc: string };
  SYSCFG1: { startupMs: number };
  APPEND: { bytes: number };
  BOOTEND: { bytes: number };
}

/** The UPDI pin function selected by a SYSCFG0 value. */
export function rstPinCfg(syscfg0: number): (typeof RSTPINCFG)[number] {
  return RSTPINCFG[(syscfg0 >> 2) & 0x03]!;
}

export function decodeFuses(bytes: ArrayLike<number>): DecodedFuses {
  const f = (i: number) => bytes[i] ?? 0xff;
  return {
    raw: Array.from({ length: FUSE_NAMES.length }, (_, i) => f(i)),
    WDTCFG: { period: WDT_PERIODS[f(FUSE.WDTCFG) & 0x0f] ?? 'reserved', window: WDT_PERIODS[f(FUSE.WDTCFG) >> 4] ?? 'reserved' },
    BODCFG: {
      sleep: BOD_MODES[f(FUSE.BODCFG) & 0x03]!,
      active: ((f(FUSE.BODCFG) >> 2) & 0x03) === 3 ? BOD_ACTIVE_3 : BOD_MODES[(f(FUSE.BODCFG) >> 2) & 0x03]!,
      sampleFreq: f(FUSE.BODCFG) & 0x10 ? '125 Hz' : '1 kHz',
      level: BOD_LEVELS[f(FUSE.BODCFG) >> 5]!,
    },
    OSCCFG: { frequency: ['reserved', '16 MHz', '20 MHz', 'reserved'][f(FUSE.OSCCFG) & 0x03]!, oscLock: (f(FUSE.OSCCFG) & 0x80) !== 0 },
    SYSCFG0: { eesave: (f(FUSE.SYSCFG0) & SYSCFG0_EESAVE) !== 0, rstPinCfg: rstPinCfg(f(FUSE.SYSCFG0)), toutDis: (f(FUSE.SYSCFG0) & 0x10) !== 0, crcSrc: CRC_SOURCES[f(FUSE.SYSCFG0) >> 6]! },
    SYSCFG1: { startupMs: SUT_MS[f(FUSE.SYSCFG1) & 0x07]! },
    APPEND: { bytes: f(FUSE.APPEND) * 256 },
    BOOTEND: { bytes: f(FUSE.BOOTEND) * 256 },
  };
}

/**
 * What each fuse's value means, in words (the lines `ltobms info` and `ltobms fuses` print after
 * the value).
 */
export function fuseMeanings(f: DecodedFuses): Record<FuseName, string> {
  return {
    WDTCFG: `period ${f.WDTCFG.period}, window ${f.WDTCFG.window}`,
    BODCFG: `active ${f.BODCFG.active}, sleep ${f.BODCFG.sleep}, level ${f.BODCFG.level}, sampling ${f.BODCFG.sampleFreq}`,
    OSCCFG: `${f.OSCCFG.frequency}${f.OSCCFG.oscLock ? ', calibration locked' : ''}`,
    SYSCFG0: `EESAVE ${f.SYSCFG0.eesave ? 'on (chip erase keeps EEPROM)' : 'off'}, pin PA0 = ${f.SYSCFG0.rstPinCfg}, ${f.SYSCFG0.crcSrc}${f.SYSCFG0.toutDis ? '' : ', NVM time-out after reset'}`,
    SYSCFG1: `start-up time ${f.SYSCFG1.startupMs} ms`,
    APPEND: f.APPEND.bytes ? `application code ends at ${f.APPEND.bytes} B` : 'no application-data section',
    BOOTEND: f.BOOTEND.bytes ? `boot section ${f.BOOTEND.bytes} B` : 'no boot section (whole flash is application)',
  };
}

/** The meaning of one fuse value (decoded as if the other fuses were erased). */
export function fuseMeaning(name: FuseName, value: number): string {
  const bytes = new Array<number>(FUSE_BYTES).fill(0xff);
  bytes[FUSE[name]] = value;
  return fuseMeanings(decodeFuses(bytes))[name];
}
