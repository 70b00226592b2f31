/**
 * Which values each tinyAVR 2-series fuse may take: the bits the data sheet reserves and the
 * field values it marks "reserved" (ATtiny1624/3224 data sheets, FUSE chapter; avr-libc iotn824.h
 * masks; avrdude's t824 fuse bitmasks OSCCFG 0x83, SYSCFG0 0xDD, SYSCFG1 0x07 name the same bits).
 *
 * Reserved bits are refused unless they hold what the factory value holds there (all ones): a part
 * may read them, later silicon may give them a meaning, and the firmware's own fuse file keeps
 * them so. Whether SYSCFG0 may take the UPDI pin away is not decided here but by the planner
 * (src/updi/plan.ts), for fuse files and single values alike.
 */
import { FUSE_DEFAULTS, FUSE, type FuseName } from './fuses.js';
import type { DeviceInfo } from './tinyavr2.js';
import { hex } from '../util/hex.js';

/** Reserved bits per fuse (the factory value has ones there). */
export const FUSE_RESERVED_BITS: Readonly<Record<FuseName, number>> = {
  WDTCFG: 0x00,
  BODCFG: 0x00,
  OSCCFG: 0x7c,
  SYSCFG0: 0x22,
  SYSCFG1: 0xf8,
  APPEND: 0x00,
  BOOTEND: 0x00,
};

/** WDTCFG.PERIOD / WINDOW codes above 0xB (8K cycles) are reserved. */
const WDT_CODE_MAX = 0x0b;

/** Bit numbers of a mask as the data sheet writes a field ("6:2", "7:3", "5, 1"). */
function bitList(mask: number): string {
  const bits = [...Array(8).keys()].reverse().filter((b) => mask & (1 << b));
  const runs: string[] = [];
  for (let i = 0; i < bits.length; ) {
    let j = i;
    while (j + 1 < bits.length && bits[j + 1] === bits[j]! - 1) j++;
    runs.push(i === j ? `${bits[i]}` : `${bits[i]}:${bits[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/**
 * Why `value` is not a valid value of fuse `name` on `device`, with the fix; undefined if it is.
 * Without a device (before one is connected) the section ends are not checked against its flash.
 */
export function fuseValueProblem(name: FuseName, value: number, device?: DeviceInfo): { why: string; fix: string } | undefined {
  const reserved = FUSE_RESERVED_BITS[name];
  const factory = FUSE_DEFAULTS[FUSE[name]]!;
  if ((value & reserved) !== (factory & reserved)) {
    const fixed = (value & ~reserved) | (factory & reserved);
    return { why: `bits ${bitList(reserved)} of ${name} are reserved and must stay 1`, fix: `write ${hex(fixed, 2)} (the same fields, reserved bits set)` };
  }
  switch (name) {
    case 'WDTCFG': {
      const period = value & 0x0f;
      const window = value >> 4;
      if (period > WDT_CODE_MAX) return { why: `WDTCFG.PERIOD ${hex(period, 1)} is reserved`, fix: 'PERIOD (bits 3:0) is 0x0 (off) to 0xB (8K cycles)' };
      if (window > WDT_CODE_MAX) return { why: `WDTCFG.WINDOW ${hex(window, 1)} is reserved`, fix: 'WINDOW (bits 7:4) is 0x0 (off) to 0xB (8K cycles)' };
      return undefined;
    }
    case 'BODCFG':
      if ((value & 0x03) === 0x03) return { why: 'BODCFG.SLEEP 3 is reserved', fix: 'SLEEP (bits 1:0) is 0 disabled, 1 enabled or 2 sampled' };
      return undefined;
    case 'OSCCFG': {
      const freqsel = value & 0x03;
      if (freqsel !== 1 && freqsel !== 2) return { why: `OSCCFG.FREQSEL ${freqsel} is reserved`, fix: 'FREQSEL (bits 1:0) is 1 (16 MHz) or 2 (20 MHz), e.g. 0x7e' };
      return undefined;
    }
    case 'APPEND':
    case 'BOOTEND': {
      if (!device) return undefined;
      const blocks = device.flashSize / 256;
      if (value > blocks) {
        return { why: `${name} ${value} puts a section end at ${value * 256} B, beyond the ${device.flashSize} B flash of the ${device.name}`, fix: `${name} counts 256-byte blocks: 0 to ${blocks}` };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
