/**
 * From command-line option strings to a checked, typed request, and from a request to the
 * image and its report. Pure; the command (src/commands/eeprom.ts) does the I/O.
 *
 * The split is what lets other paths reuse it: the UPDI write path takes the same request and
 * sends `bytes` to EEPROM offset 0; the manufacture workflow builds requests per serial number.
 */
import { UsageError } from '../errors.js';
import { CHEMISTRY, parseChemistry, type Chemistry } from '../part/chemistry.js';
import { formatFromPath, parseFormat, type ImageFormat } from './formats.js';
import { CONFIG_FIELDS, decodeConfig, encodeConfig, validateConfig, type DecodedImage, type EepromConfig } from './image.js';
import { parseInteger } from './parse.js';
import { CALIBRATION_OFFSET, CALIBRATION_SIZE, encodeCalibration, inspectCalibration, type Calibration } from './calibration.js';
import { calibrationReport, type CalibrationReport } from './calibration-report.js';
import { hexBytes } from '../util/hex.js';

/** Options as commander hands them over (all strings: parsed here, with the original's rules). */
export interface EepromOptions {
  chemistry?: string;
  sn?: string;
  tempOffset?: string;
  ovloCutoff?: string;
  ovloRelease?: string;
  uvloRelease?: string;
  uvloCutoff?: string;
  maxCurrent?: string;
  ocloTimeout?: string;
  file?: string;
  format?: string;
  json?: boolean;
  force?: boolean;
  /** A calibration JSON file: the image then carries the calibration block too (40 bytes). */
  cal?: string;
}

export interface EepromRequest {
  chemistry: Chemistry;
  config: EepromConfig;
  force: boolean;
  /** Where the image goes: a file (written atomically) or stdout. */
  output: { file: string | undefined; format: ImageFormat };
  json: boolean;
  /** The calibration block to append at offset 20, or null: the 20-byte image as always. */
  calibration: Calibration | null;
}

/** commander's attribute for an option: `--temp-offset` → `tempOffset`. */
export function optionAttribute(option: string): keyof EepromOptions {
  return option.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof EepromOptions;
}

/**
 * Parses and checks every option. Throws UsageError (exit 2) naming the option for a missing
 * --sn, a bad number, a bad chemistry or format, or contradictory limits.
 */
export function buildEepromRequest(opts: EepromOptions, calibration: Calibration | null = null): EepromRequest {
  const chemistry = parseChemistry(opts.chemistry ?? 'LTO');
  if (opts.sn === undefined) {
    throw new UsageError('--sn is required: every board needs its serial number (0–65535)', {
      code: 'EEPROM_NO_SN',
      hint: 'e.g. `ltobms eeprom --sn 7`; the number is the id tag of its log frames',
    });
  }
  const defaults: Omit<EepromConfig, 'serialNumber'> = { tempOffset: 0, ...CHEMISTRY[chemistry].defaults };
  const config = { ...defaults } as EepromConfig;
  for (const field of CONFIG_FIELDS) {
    const text = opts[optionAttribute(field.option)];
    if (typeof text === 'string') config[field.key] = parseInteger(text, field.type, field.option);
  }
  const force = opts.force === true;
  validateConfig(config, { chemistry, force });

  const file = opts.file;
  if (file === '') throw new UsageError('-f/--file needs a file name', { code: 'USAGE' });
  const format = opts.format !== undefined ? parseFormat(opts.format) : file !== undefined ? formatFromPath(file) : 'hexstring';
  const json = opts.json === true;
  if (json && file === undefined && format !== 'hexstring') {
    throw new UsageError(`--json and --format ${format} both want stdout`, {
      code: 'USAGE',
      hint: `add -f FILE for the ${format} image (the JSON then names the file), or drop --format`,
    });
  }
  return { chemistry, config, force, output: { file, format }, json, calibration };
}

/**
 * The image for a request, decoded back (so the report shows what the bytes say): the 20-byte
 * configuration, followed by the calibration block when the request has one.
 */
export function makeImage(request: EepromRequest): { bytes: Uint8Array; decoded: DecodedImage; calibration: CalibrationReport | null } {
  const config = encodeConfig(request.config);
  if (!request.calibration) return { bytes: config, decoded: decodeConfig(config), calibration: null };
  const block = encodeCalibration(request.calibration);
  const bytes = new Uint8Array(CALIBRATION_OFFSET + CALIBRATION_SIZE);
  bytes.set(config, 0);
  bytes.set(block, CALIBRATION_OFFSET);
  return { bytes, decoded: decodeConfig(bytes), calibration: calibrationReport(inspectCalibration(block), block) };
}

/** The calibration block of an EEPROM image (bytes from offset 0), or null when it has none (short or erased). */
export function calibrationOfImage(bytes: Uint8Array): CalibrationReport | null {
  const block = bytes.subarray(CALIBRATION_OFFSET, CALIBRATION_OFFSET + CALIBRATION_SIZE);
  const d = inspectCalibration(block);
  return d.erased ? null : calibrationReport(d, block);
}

/** The --json object of `eeprom` and `eeprom decode`: fields by their firmware names. */
export interface ImageReport {
  fields: Record<string, number>;
  magic: number;
  magicValid: boolean;
  crc: number;
  crcComputed: number;
  crcValid: boolean;
  /** Whose default limits these are (null: custom limits). */
  matchesChemistry: Chemistry | null;
  /** Chemistries whose survivable bounds the limits respect. */
  withinBoundsOf: Chemistry[];
  /** The 20 bytes as the original tool printed them. */
  hex: string;
}

export function imageReport(d: DecodedImage): ImageReport {
  const fields: Record<string, number> = {};
  for (const f of CONFIG_FIELDS) fields[f.name] = d.config[f.key];
  return {
    fields,
    magic: d.magic,
    magicValid: d.magicValid,
    crc: d.crc,
    crcComputed: d.crcComputed,
    crcValid: d.crcValid,
    matchesChemistry: d.chemistry,
    withinBoundsOf: d.withinBoundsOf,
    hex: hexBytes(d.bytes, ''),
  };
}
