// `eeprom --write`'s library call (src/updi/eeprom-write.ts) against the virtual ATtiny824 on a
// pipe: writing the 20-byte configuration leaves a calibration block at EEPROM 20–39 as it was
// (the tinyAVR EEPROM is written per loaded byte), and a 40-byte image replaces both, verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simPipe } from './sim-pipe.js';
import { writeEepromImage } from '../../src/updi/eeprom-write.js';
import { encodeConfig } from '../../src/eeprom/image.js';
import { CHEMISTRY } from '../../src/part/chemistry.js';
import { calibrationOfEeprom, encodeCalibration, type Calibration } from '../../src/eeprom/calibration.js';

const CAL: Calibration = { vbatt: { gain: 33096, offset: -12 }, vload: { gain: 32440, offset: 7 }, current: { gain: 31130, offset: -25 }, tempOffsetK: -3 };
const config = (sn: number) => encodeConfig({ ...CHEMISTRY.LTO.defaults, serialNumber: sn, tempOffset: 0 });

test('eeprom --write of the configuration alone keeps the calibration block on the board', async () => {
  const s = simPipe();
  const eeprom = s.sim.memories.eeprom;
  eeprom.set(config(1), 0);
  eeprom.set(encodeCalibration(CAL), 20);
  eeprom[40] = 0x42; // after both blocks: untouched too
  const result = await writeEepromImage(config(7), { port: 'sim', baud: 115200, transport: s.plug(), timeoutMs: 1000, clock: s.clock });
  assert.equal(result.written, 20);
  assert.equal(result.verified, 20);
  assert.deepEqual([...eeprom.subarray(0, 20)], [...config(7)]);
  assert.deepEqual(calibrationOfEeprom(eeprom), CAL);
  assert.equal(eeprom[40], 0x42);
});

test('eeprom --write --cal: a 40-byte image replaces both blocks and is read back', async () => {
  const s = simPipe();
  const eeprom = s.sim.memories.eeprom;
  eeprom.set(config(1), 0);
  const image = new Uint8Array(40);
  image.set(config(7), 0);
  image.set(encodeCalibration(CAL), 20);
  const result = await writeEepromImage(image, { port: 'sim', baud: 115200, transport: s.plug(), timeoutMs: 1000, clock: s.clock });
  assert.equal(result.written, 40);
  assert.equal(result.verified, 40);
  assert.deepEqual([...eeprom.subarray(0, 40)], [...image]);
  assert.equal(eeprom[40], 0xff, 'the rest stays erased');
});
