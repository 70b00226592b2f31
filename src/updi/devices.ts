/**
 * Which part answered: its signature looked up in the tinyAVR 2-series table (src/part/tinyavr2.ts),
 * or a SIGNATURE error that says what a silent or locked part looks like.
 */
import { DEVICES, deviceBySignature, type DeviceInfo } from '../part/tinyavr2.js';
import { UpdiError } from './errors.js';
import { hexBytes } from '../util/hex.js';

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
