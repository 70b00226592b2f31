/**
 * Writing a configuration image to the board's EEPROM over UPDI (for `ltobms eeprom --write`):
 * the image goes to EEPROM offset 0, byte-exact (tinyAVR EEPROM is byte-granular, so the rest of
 * the EEPROM is untouched: a 20-byte configuration keeps the calibration block at 20–39, a 40-byte
 * image with `--cal` replaces it), and is read back and compared unless verification is off.
 */
import { withProgrammer, type ConnectOptions } from './connect.js';
import { planProgram } from './plan.js';
import { systemClock } from '../util/clock.js';

export interface EepromWriteResult {
  device: string;
  written: number;
  verified: number;
  retries: number;
  seconds: number;
}

export async function writeEepromImage(bytes: Uint8Array, options: ConnectOptions, verify = true): Promise<EepromWriteResult> {
  const clock = options.clock ?? systemClock;
  const t0 = clock.now();
  const { device, result } = await withProgrammer(options, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    const plan = planProgram({ eeprom: [{ address: 0, data: bytes }] }, device);
    return { device, result: await p.program(plan, { verify }) };
  });
  return {
    device: device.name,
    written: result.written.eeprom,
    verified: result.verified,
    retries: result.retries,
    seconds: Number(((clock.now() - t0) / 1000).toFixed(3)),
  };
}
