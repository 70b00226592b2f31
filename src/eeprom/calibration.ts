/**
 * The EEPROM calibration block (docs/calibration.md, *compat*: extend, never change): 20 bytes
 * at EEPROM offset 20, right after the configuration, little-endian.
 *
 * | off | type | field                                   | identity |
 * | 20  | u16  | magic = 0xCA1B                          |          |
 * | 22  | u16  | vbatt_gain, Q15 (32768 = 1.0)           | 32768    |
 * | 24  | i16  | vbatt_offset, mV                        | 0        |
 * | 26  | u16  | vload_gain, Q15                         | 32768    |
 * | 28  | i16  | vload_offset, mV                        | 0        |
 * | 30  | u16  | current_gain, Q15                       | 32768    |
 * | 32  | i16  | current_offset, differential ADC counts | 0        |
 * | 34  | i16  | temp_offset_cal, K                      | 0        |
 * | 36  | u8   | version = 1                             |          |
 * | 37  | u8   | reserved = 0                            |          |
 * | 38  | u16  | CRC-16/MODBUS over bytes 20..37         |          |
 *
 * The apply* functions are the firmware's integer math (firmware/src/calib.c) restated, bit for
 * bit: both sides are tested against the same vectors. Pure: no I/O, no printing.
 */
import { crc16Modbus } from './image.js';
import { putIntField, type IntType } from './parse.js';

/** Where the block starts in the EEPROM: right after the 20-byte configuration. */
export const CALIBRATION_OFFSET = 20;
/** Bytes in the block, CRC included. */
export const CALIBRATION_SIZE = 20;
export const CALIBRATION_MAGIC = 0xca1b;
/** The layout version this code writes; the firmware checks only magic and CRC. */
export const CALIBRATION_VERSION = 1;
/** Q15: the gain that multiplies by 1. */
export const GAIN_ONE = 32768;

/** A linear correction: value × gain / 32768 + offset. */
export interface LinearCal {
  /** Q15 unsigned integer, 32768 = 1.0 (0–65535, so up to just under 2.0). */
  gain: number;
  /** Integer: mV for the voltages; for the current, counts of the differential ADC sum. */
  offset: number;
}

export interface Calibration {
  vbatt: LinearCal;
  vload: LinearCal;
  /** offset in counts of the 16-sum differential accumulator (full scale 32768), subtracted before conversion. */
  current: LinearCal;
  /** K, added after the configuration's temp_offset. */
  tempOffsetK: number;
}

/** The calibration a board without a block behaves as: every reading exactly as uncalibrated. */
export const IDENTITY_CALIBRATION: Calibration = Object.freeze({
  vbatt: Object.freeze({ gain: GAIN_ONE, offset: 0 }),
  vload: Object.freeze({ gain: GAIN_ONE, offset: 0 }),
  current: Object.freeze({ gain: GAIN_ONE, offset: 0 }),
  tempOffsetK: 0,
}) as Calibration;

/** One field of the block: its firmware name, byte offset inside the block, type and unit. */
export interface CalibrationField {
  name: string;
  offset: number;
  type: IntType;
  unit: 'Q15' | 'mV' | 'counts' | 'K';
  get(cal: Calibration): number;
}

/** The layout table (offsets relative to the block's start, i.e. EEPROM offset − 20). */
export const CALIBRATION_FIELDS: readonly CalibrationField[] = [
  { name: 'vbatt_gain', offset: 2, type: 'u16', unit: 'Q15', get: (c) => c.vbatt.gain },
  { name: 'vbatt_offset', offset: 4, type: 'i16', unit: 'mV', get: (c) => c.vbatt.offset },
  { name: 'vload_gain', offset: 6, type: 'u16', unit: 'Q15', get: (c) => c.vload.gain },
  { name: 'vload_offset', offset: 8, type: 'i16', unit: 'mV', get: (c) => c.vload.offset },
  { name: 'current_gain', offset: 10, type: 'u16', unit: 'Q15', get: (c) => c.current.gain },
  { name: 'current_offset', offset: 12, type: 'i16', unit: 'counts', get: (c) => c.current.offset },
  { name: 'temp_offset_cal', offset: 14, type: 'i16', unit: 'K', get: (c) => c.tempOffsetK },
];
const VERSION_OFFSET = 16;
const CRC_OFFSET = 18;

/** The 20-byte block for `cal`. Throws UsageError naming the field if a value does not fit. */
export function encodeCalibration(cal: Calibration): Uint8Array {
  const bytes = new Uint8Array(CALIBRATION_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, CALIBRATION_MAGIC, true);
  for (const field of CALIBRATION_FIELDS) {
    const hint = field.unit === 'Q15' ? 'gains are Q15 integers: 32768 is 1.0, so 0–65535 covers 0 to just under 2.0' : `give ${field.name} as a whole number of ${field.unit}`;
    putIntField(view, field.offset, field.type, field.get(cal), `calibration ${field.name}`, { code: 'CALIBRATION_RANGE', hint });
  }
  bytes[VERSION_OFFSET] = CALIBRATION_VERSION;
  bytes[VERSION_OFFSET + 1] = 0;
  view.setUint16(CRC_OFFSET, crc16Modbus(bytes.subarray(0, CRC_OFFSET)), true);
  return bytes;
}

/** Everything the 20 bytes at offset 20 say, for `eeprom decode`. */
export interface DecodedCalibration {
  magic: number;
  crc: number;
  crcComputed: number;
  version: number;
  /** The firmware applies the block: magic matches and the CRC over all 20 bytes is 0. */
  valid: boolean;
  /** Every byte 0xFF: never written (an erased EEPROM). */
  erased: boolean;
  /** The calibration the firmware uses: the block's when valid, else identity. */
  calibration: Calibration;
  /** The fields as the bytes hold them, valid or not (for showing a damaged block). */
  raw: Calibration;
}

/** The block's fields read as they lie, whatever the magic and CRC say. */
function readFields(block: Uint8Array): Calibration {
  const view = new DataView(block.buffer, block.byteOffset, CALIBRATION_SIZE);
  const get = (name: string): number => {
    const f = CALIBRATION_FIELDS.find((x) => x.name === name)!;
    return f.type === 'i16' ? view.getInt16(f.offset, true) : view.getUint16(f.offset, true);
  };
  return {
    vbatt: { gain: get('vbatt_gain'), offset: get('vbatt_offset') },
    vload: { gain: get('vload_gain'), offset: get('vload_offset') },
    current: { gain: get('current_gain'), offset: get('current_offset') },
    tempOffsetK: get('temp_offset_cal'),
  };
}

/**
 * The block's state from its 20 bytes (fewer: an EEPROM image without the block, which the
 * firmware treats as absent; reported as erased). The firmware's rule: valid only if the magic
 * is 0xCA1B and CRC-16/MODBUS over all 20 bytes is 0; the version byte is not checked.
 */
export function inspectCalibration(bytes: Uint8Array): DecodedCalibration {
  if (bytes.length < CALIBRATION_SIZE) {
    return { magic: 0xffff, crc: 0xffff, crcComputed: 0xffff, version: 0xff, valid: false, erased: true, calibration: IDENTITY_CALIBRATION, raw: IDENTITY_CALIBRATION };
  }
  const block = new Uint8Array(bytes.subarray(0, CALIBRATION_SIZE));
  const view = new DataView(block.buffer);
  const magic = view.getUint16(0, true);
  const crc = view.getUint16(CRC_OFFSET, true);
  const crcComputed = crc16Modbus(block.subarray(0, CRC_OFFSET));
  const valid = magic === CALIBRATION_MAGIC && crc === crcComputed;
  const raw = readFields(block);
  return {
    magic,
    crc,
    crcComputed,
    version: block[VERSION_OFFSET]!,
    valid,
    erased: block.every((b) => b === 0xff),
    calibration: valid ? raw : IDENTITY_CALIBRATION,
    raw,
  };
}

/** The calibration in the 20-byte block, or null when it is absent or invalid (the firmware then uses identity). */
export function decodeCalibration(bytes: Uint8Array): Calibration | null {
  const d = inspectCalibration(bytes);
  return d.valid ? d.calibration : null;
}

/** The calibration block of a whole EEPROM image (from offset 0), or null. */
export function calibrationOfEeprom(eeprom: Uint8Array): Calibration | null {
  return decodeCalibration(eeprom.subarray(CALIBRATION_OFFSET, CALIBRATION_OFFSET + CALIBRATION_SIZE));
}

const clamp = (v: number, min: number, max: number): number => (v < min ? min : v > max ? max : v);

/** round-half-up of value × gain / 32768: the firmware's `(x * gain + 16384) >> 15` (arithmetic shift). */
function q15(value: number, gain: number): number {
  // |value × gain| < 2^32: exact in a double, and floor() is what an arithmetic shift does.
  return Math.floor((value * gain + 16384) / 32768);
}

/** A calibrated voltage (battery or load), mV: the firmware's calib_voltage, clamped to 0–65535. */
export function applyVoltage(mv: number, c: LinearCal): number {
  return clamp(q15(mv, c.gain) + c.offset, 0, 0xffff);
}

/** The differential ADC sum with the current offset taken off, clamped to the 16-bit signed range. */
export function applyCurrentOffset(acc: number, c: LinearCal): number {
  return clamp(acc - c.offset, -0x8000, 0x7fff);
}

/** A calibrated current, mA (after conversion of the offset-corrected sum), clamped to int16. */
export function applyCurrentGain(ma: number, c: LinearCal): number {
  return clamp(q15(ma, c.gain), -0x8000, 0x7fff);
}

/** A calibrated temperature, K (the sensor reading with the configuration's temp_offset already in). */
export function applyTemperature(k: number, cal: Calibration): number {
  // The firmware adds in 16 bits: the frame field is an int16, which wraps.
  return ((((k + cal.tempOffsetK) & 0xffff) ^ 0x8000) - 0x8000);
}
