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

/**
 * The device that answered, if it is the part the user named (-p), else a SIGNATURE error naming
 * both, as avrdude refuses a wrong -p. Not retried: a readable signature of another part is no
 * transfer error.
 */
export function requirePart(device: DeviceInfo, expected: DeviceInfo | undefined): DeviceInfo {
  if (expected && device.name !== expected.name) {
    const signature = hexBytes(device.signature);
    throw new UpdiError('SIGNATURE', `the part is an ${device.name} (signature ${signature}), but -p ${expected.avrdudeId} asks for an ${expected.name}`, {
      hint: `check that the right board is on the fixture, or pass -p ${device.avrdudeId} if an ${device.name} is meant (the ltobms firmware is built for the ATtiny824)`,
      details: { signature, found: device.name, expected: expected.name },
    });
  }
  return device;
}
