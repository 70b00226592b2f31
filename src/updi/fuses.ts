/**
 * tinyAVR 2-series fuse bytes (FUSE at 0x1280, facts §1.2): names, decoding into fields, and the
 * one check that matters before writing them (SYSCFG0.RSTPINCFG must keep the pin as UPDI).
 */

export const FUSE_NAMES = ['WDTCFG', 'BODCFG', 'OSCCFG', 'reserved3', 'reserved4', 'SYSCFG0', 'SYSCFG1', 'APPEND', 'BOOTEND'] as const;
export const SYSCFG0_INDEX = 5;
/** RSTPINCFG[3:2] values. */
export const RSTPINCFG = ['GPIO', 'UPDI', 'RESET', 'PDIRST'] as const;

const WDT_PERIODS = ['off', '8 cycles', '16 cycles', '32 cycles', '64 cycles', '128 cycles', '256 cycles', '512 cycles', '1K cycles', '2K cycles', '4K cycles', '8K cycles'];
const BOD_MODES = ['disabled', 'enabled', 'sampled', 'reserved'];
const BOD_LEVELS: Record<number, string> = { 0: '1.8 V', 2: '2.6 V', 7: '4.2 V' };
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
  const crc = ['CRC of boot section', 'CRC of boot and application', 'CRC of whole flash', 'no CRC'];
  return {
    raw: Array.from({ length: FUSE_NAMES.length }, (_, i) => f(i)),
    WDTCFG: { period: WDT_PERIODS[f(0) & 0x0f] ?? 'reserved', window: WDT_PERIODS[f(0) >> 4] ?? 'reserved' },
    BODCFG: {
      sleep: BOD_MODES[f(1) & 0x03]!,
      active: BOD_MODES[(f(1) >> 2) & 0x03]!,
      sampleFreq: f(1) & 0x10 ? '32 Hz' : '1 kHz',
      level: BOD_LEVELS[f(1) >> 5] ?? `level ${f(1) >> 5}`,
    },
    OSCCFG: { frequency: ['reserved', '16 MHz', '20 MHz', 'reserved'][f(2) & 0x03]!, oscLock: (f(2) & 0x80) !== 0 },
    SYSCFG0: { eesave: (f(5) & 0x01) !== 0, rstPinCfg: rstPinCfg(f(5)), toutDis: (f(5) & 0x10) !== 0, crcSrc: crc[f(5) >> 6]! },
    SYSCFG1: { startupMs: SUT_MS[f(6) & 0x07]! },
    APPEND: { bytes: f(7) * 256 },
    BOOTEND: { bytes: f(8) * 256 },
  };
}
