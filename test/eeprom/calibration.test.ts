// The calibration block (docs/calibration.md): layout and CRC checked against bytes built here
// from the table, and the arithmetic against the vectors the firmware's host tests use
// (firmware/test/calib_vectors.h, parsed below), so the host mirror and the C agree bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CALIBRATION_MAGIC,
  CALIBRATION_OFFSET,
  CALIBRATION_SIZE,
  IDENTITY_CALIBRATION,
  applyCurrentGain,
  applyCurrentOffset,
  applyTemperature,
  applyVoltage,
  calibrationOfEeprom,
  decodeCalibration,
  encodeCalibration,
  inspectCalibration,
  type Calibration,
} from '../../src/eeprom/calibration.js';
import { UsageError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { referenceCrc } from './reference.js';

const SAMPLE: Calibration = {
  vbatt: { gain: 33096, offset: -12 },
  vload: { gain: 32440, offset: 7 },
  current: { gain: 31130, offset: -25 },
  tempOffsetK: -3,
};

/** The block written out field by field from the documented table (offsets relative to byte 20). */
function expectedBlock(c: Calibration): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(0xca1b, 0);
  b.writeUInt16LE(c.vbatt.gain, 2);
  b.writeInt16LE(c.vbatt.offset, 4);
  b.writeUInt16LE(c.vload.gain, 6);
  b.writeInt16LE(c.vload.offset, 8);
  b.writeUInt16LE(c.current.gain, 10);
  b.writeInt16LE(c.current.offset, 12);
  b.writeInt16LE(c.tempOffsetK, 14);
  b[16] = 1;
  b[17] = 0;
  b.writeUInt16LE(referenceCrc(b.subarray(0, 18)), 18);
  return b;
}

test('the block sits right after the 20-byte configuration: offset 20, 20 bytes, magic 0xCA1B', () => {
  assert.equal(CALIBRATION_OFFSET, 20);
  assert.equal(CALIBRATION_SIZE, 20);
  assert.equal(CALIBRATION_MAGIC, 0xca1b);
});

test('encodeCalibration: every field at its documented offset, version 1, CRC over bytes 0..17; CRC over all 20 is 0', () => {
  for (const cal of [SAMPLE, IDENTITY_CALIBRATION]) {
    const bytes = encodeCalibration(cal);
    assert.deepEqual(Buffer.from(bytes), expectedBlock(cal));
    assert.equal(referenceCrc(bytes), 0);
  }
  // identity, literally: 1B CA 00 80 00 00 00 80 00 00 00 80 00 00 00 00 01 00 + CRC
  assert.equal(Buffer.from(encodeCalibration(IDENTITY_CALIBRATION)).subarray(0, 18).toString('hex'), '1bca008000000080000000800000000001' + '00');
});

test('encodeCalibration range-checks each field and names it', () => {
  const bad: [Calibration, RegExp][] = [
    [{ ...SAMPLE, vbatt: { gain: 65536, offset: 0 } }, /vbatt_gain = 65536/],
    [{ ...SAMPLE, vload: { gain: 32768, offset: -32769 } }, /vload_offset = -32769/],
    [{ ...SAMPLE, current: { gain: -1, offset: 0 } }, /current_gain = -1/],
    [{ ...SAMPLE, current: { gain: 32768, offset: 1.5 } }, /current_offset = 1.5/],
    [{ ...SAMPLE, tempOffsetK: 32768 }, /temp_offset_cal = 32768/],
  ];
  for (const [cal, message] of bad) {
    assert.throws(() => encodeCalibration(cal), (e: unknown) => e instanceof UsageError && message.test(e.message) && e.code === 'CALIBRATION_RANGE');
  }
  // the extremes fit
  const edge: Calibration = { vbatt: { gain: 0, offset: -32768 }, vload: { gain: 65535, offset: 32767 }, current: { gain: 65535, offset: -32768 }, tempOffsetK: -32768 };
  assert.deepEqual(decodeCalibration(encodeCalibration(edge)), edge);
});

test('decodeCalibration: round trip; null for erased, wrong magic, bad CRC or a short block', () => {
  assert.deepEqual(decodeCalibration(encodeCalibration(SAMPLE)), SAMPLE);
  assert.equal(decodeCalibration(new Uint8Array(20).fill(0xff)), null);
  assert.equal(decodeCalibration(new Uint8Array(20)), null); // zeros: CRC of zeros is not 0
  const flipped = encodeCalibration(SAMPLE);
  flipped[5]! ^= 0x01;
  assert.equal(decodeCalibration(flipped), null);
  // a block with the configuration's magic and a correct CRC is still not a calibration
  const otherMagic = expectedBlock(SAMPLE);
  otherMagic.writeUInt16LE(0x7337, 0);
  otherMagic.writeUInt16LE(referenceCrc(otherMagic.subarray(0, 18)), 18);
  assert.equal(decodeCalibration(otherMagic), null);
  assert.equal(decodeCalibration(encodeCalibration(SAMPLE).subarray(0, 19)), null);
});

test('inspectCalibration reports magic, CRC, version and erased; invalid blocks give identity', () => {
  const ok = inspectCalibration(encodeCalibration(SAMPLE));
  assert.equal(ok.valid, true);
  assert.equal(ok.version, 1);
  assert.equal(ok.erased, false);
  assert.equal(ok.crc, ok.crcComputed);
  const erased = inspectCalibration(new Uint8Array(20).fill(0xff));
  assert.deepEqual([erased.valid, erased.erased, erased.calibration], [false, true, IDENTITY_CALIBRATION]);
  // a later version with the same magic and a valid CRC is applied (the firmware checks magic + CRC only)
  const v2 = expectedBlock(SAMPLE);
  v2[16] = 2;
  v2.writeUInt16LE(referenceCrc(v2.subarray(0, 18)), 18);
  assert.deepEqual(inspectCalibration(v2).calibration, SAMPLE);
});

test('calibrationOfEeprom reads bytes 20..39 of a whole EEPROM image', () => {
  const eeprom = new Uint8Array(128).fill(0xff);
  assert.equal(calibrationOfEeprom(eeprom), null);
  eeprom.set(encodeCalibration(SAMPLE), 20);
  assert.deepEqual(calibrationOfEeprom(eeprom), SAMPLE);
  assert.equal(calibrationOfEeprom(eeprom.subarray(0, 20)), null);
});

// ---- the arithmetic, against the firmware's own vectors

const VECTORS = readFileSync(join(REPO_ROOT, 'firmware/test/calib_vectors.h'), 'utf8');

/** The `{ a, b, ... }` rows of one C array in calib_vectors.h. */
function rows(array: string): number[][] {
  const body = new RegExp(`${array}\\[\\] = \\{([\\s\\S]*?)\\n\\};`).exec(VECTORS)?.[1];
  assert.ok(body, `${array} not found in calib_vectors.h`);
  return [...body.matchAll(/\{\s*(-?\d+(?:\s*,\s*-?\d+)*)\s*\}/g)].map((m) => m[1]!.split(',').map((n) => Number(n.trim())));
}

test('applyVoltage gives the firmware vectors', () => {
  const vectors = rows('CALIB_VOLTAGE_VECTORS');
  assert.ok(vectors.length >= 16);
  for (const [mv, gain, offset, expect] of vectors) assert.equal(applyVoltage(mv!, { gain: gain!, offset: offset! }), expect, `mv ${mv} gain ${gain} offset ${offset}`);
});

test('applyCurrentGain gives the firmware vectors', () => {
  const vectors = rows('CALIB_CURRENT_VECTORS');
  assert.ok(vectors.length >= 14);
  for (const [ma, gain, expect] of vectors) assert.equal(applyCurrentGain(ma!, { gain: gain!, offset: 0 }), expect, `ma ${ma} gain ${gain}`);
});

test('applyCurrentOffset gives the firmware vectors', () => {
  const vectors = rows('CALIB_OFFSET_VECTORS');
  assert.ok(vectors.length >= 11);
  for (const [acc, offset, expect] of vectors) assert.equal(applyCurrentOffset(acc!, { gain: 32768, offset: offset! }), expect, `acc ${acc} offset ${offset}`);
});

test('identity changes no voltage 0..65535, no current -32768..32767, no accumulator', () => {
  const id = IDENTITY_CALIBRATION;
  for (let mv = 0; mv <= 0xffff; mv++) if (applyVoltage(mv, id.vbatt) !== mv) assert.fail(`voltage ${mv}`);
  for (let ma = -0x8000; ma <= 0x7fff; ma++) {
    if (applyCurrentGain(ma, id.current) !== ma) assert.fail(`current ${ma}`);
    if (applyCurrentOffset(ma, id.current) !== ma) assert.fail(`accumulator ${ma}`);
  }
  assert.equal(applyTemperature(297, id), 297);
});

test('applyTemperature adds the offset and wraps like the firmware’s int16', () => {
  assert.equal(applyTemperature(297, { ...IDENTITY_CALIBRATION, tempOffsetK: -3 }), 294);
  assert.equal(applyTemperature(32767, { ...IDENTITY_CALIBRATION, tempOffsetK: 1 }), -32768);
});
