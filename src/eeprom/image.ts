/**
 * The 20-byte EEPROM configuration image (HARDWARE.md, *compat*): layout, CRC, encode,
 * decode and the consistency rules. Pure functions: no I/O, no printing.
 *
 * Layout, little-endian: magic u16 = 0x7337, serial_number u16, temp_offset i16,
 * ovlo_cutoff, ovlo_release, uvlo_release, uvlo_cutoff, max_current, oclo_timeout (u16 each),
 * crc u16 = CRC-16/MODBUS over bytes 0–17. The firmware loads the block only if the magic
 * matches and the CRC over all 20 bytes is 0.
 */
import { LtobmsError, UsageError } from '../errors.js';
import { CHEMISTRIES, CHEMISTRY, type Chemistry, type ProtectionLimits } from '../part/chemistry.js';
import { putIntField, type IntType } from './parse.js';
import { hex } from '../util/hex.js';

export const EEPROM_MAGIC = 0x7337;
/** Bytes in the image, CRC included. */
export const CONFIG_SIZE = 20;
/** Offset of the CRC: it covers bytes 0 .. CRC_OFFSET-1. */
export const CRC_OFFSET = 18;

/** Every configurable field of the image, as the CLI and the firmware see it. */
export interface EepromConfig extends ProtectionLimits {
  serialNumber: number;
  /** K, added to the internal sensor reading. */
  tempOffset: number;
}

export interface ConfigField {
  key: keyof EepromConfig;
  /** Name in the firmware struct, the JSON output and `decode`. */
  name: string;
  /** The CLI option (same as the original eeprom.py). */
  option: string;
  offset: number;
  type: IntType;
  unit: 'mV' | 'mA' | 's' | 'K' | '';
  /** One line for --help. */
  help: string;
}

/** The layout table: the one place that knows offsets, types, names and options. */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'serialNumber', name: 'serial_number', option: '--sn', offset: 2, type: 'u16', unit: '', help: 'unique serial number of the board' },
  { key: 'tempOffset', name: 'temp_offset', option: '--temp-offset', offset: 4, type: 'i16', unit: 'K', help: 'added to the internal temperature sensor reading' },
  { key: 'ovloCutoff', name: 'ovlo_cutoff', option: '--ovlo-cutoff', offset: 6, type: 'u16', unit: 'mV', help: 'over-voltage cutoff' },
  { key: 'ovloRelease', name: 'ovlo_release', option: '--ovlo-release', offset: 8, type: 'u16', unit: 'mV', help: 'over-voltage release' },
  { key: 'uvloRelease', name: 'uvlo_release', option: '--uvlo-release', offset: 10, type: 'u16', unit: 'mV', help: 'under-voltage release' },
  { key: 'uvloCutoff', name: 'uvlo_cutoff', option: '--uvlo-cutoff', offset: 12, type: 'u16', unit: 'mV', help: 'under-voltage cutoff' },
  { key: 'maxCurrent', name: 'max_current', option: '--max-current', offset: 14, type: 'u16', unit: 'mA', help: 'discharge current that trips over-current lockout' },
  { key: 'ocloTimeout', name: 'oclo_timeout', option: '--oclo-timeout', offset: 16, type: 'u16', unit: 's', help: 'how long over-current lockout holds' },
];

export function fieldFor(key: keyof EepromConfig): ConfigField {
  const field = CONFIG_FIELDS.find((f) => f.key === key);
  if (!field) throw new Error(`no EEPROM field ${key}`);
  return field;
}

/** Byte-at-a-time table for the reflected polynomial 0xA001. */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-16/MODBUS (reflected poly 0xA001, init 0xFFFF, no final XOR) — avr-libc's
 * `_crc16_update`, which the firmware runs. Check value: "123456789" → 0x4B37.
 */
export function crc16Modbus(bytes: Uint8Array, init = 0xffff): number {
  let crc = init;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

/** The image the original tool produced for this configuration (byte-identical). */
export function encodeConfig(cfg: EepromConfig): Uint8Array {
  const bytes = new Uint8Array(CONFIG_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, EEPROM_MAGIC, true);
  for (const field of CONFIG_FIELDS) putIntField(view, field.offset, field.type, cfg[field.key], field.name, { code: 'EEPROM_RANGE' });
  view.setUint16(CRC_OFFSET, crc16Modbus(bytes.subarray(0, CRC_OFFSET)), true);
  return bytes;
}

/** Everything an image says, and whether the firmware would accept it. */
export interface DecodedImage {
  /** The 20 image bytes. */
  bytes: Uint8Array;
  magic: number;
  magicValid: boolean;
  /** CRC stored in the image. */
  crc: number;
  /** CRC computed over bytes 0–17. */
  crcComputed: number;
  crcValid: boolean;
  config: EepromConfig;
  /** The chemistry whose default limits these are, or null for custom limits. */
  chemistry: Chemistry | null;
  /** The chemistries whose survivable bounds (and the ordering rules) the limits satisfy. */
  withinBoundsOf: Chemistry[];
}

/**
 * Decodes the first 20 bytes of `bytes` (an image, or a longer EEPROM dump starting at offset 0).
 * Fewer than 20 bytes is a usage error; a bad magic or CRC is reported, not thrown.
 */
export function decodeConfig(bytes: Uint8Array, source = 'the image'): DecodedImage {
  if (bytes.length < CONFIG_SIZE) {
    throw new UsageError(`${source} holds ${bytes.length} byte${bytes.length === 1 ? '' : 's'}; a configuration image is ${CONFIG_SIZE}`, {
      code: 'EEPROM_SHORT',
      hint: 'pass the .bin or .hex written by `ltobms eeprom -f`, or the 40-digit hex string it prints',
    });
  }
  // A copy in its own buffer: a Node Buffer's slice() is a view into a shared pool.
  const image = new Uint8Array(bytes.subarray(0, CONFIG_SIZE));
  const view = new DataView(image.buffer);
  const config = {} as EepromConfig;
  for (const field of CONFIG_FIELDS) {
    config[field.key] = field.type === 'i16' ? view.getInt16(field.offset, true) : view.getUint16(field.offset, true);
  }
  const magic = view.getUint16(0, true);
  const crc = view.getUint16(CRC_OFFSET, true);
  const crcComputed = crc16Modbus(image.subarray(0, CRC_OFFSET));
  return {
    bytes: image,
    magic,
    magicValid: magic === EEPROM_MAGIC,
    crc,
    crcComputed,
    crcValid: crc === crcComputed,
    config,
    chemistry: matchesChemistry(config),
    withinBoundsOf: CHEMISTRIES.filter((c) => findContradictions(config, { chemistry: c, force: false }).length === 0),
  };
}

const LIMIT_KEYS: readonly (keyof ProtectionLimits)[] = ['ovloCutoff', 'ovloRelease', 'uvloRelease', 'uvloCutoff', 'maxCurrent', 'ocloTimeout'];

/** The chemistry whose default limits the configuration carries exactly, or null. */
export function matchesChemistry(cfg: ProtectionLimits): Chemistry | null {
  return CHEMISTRIES.find((c) => LIMIT_KEYS.every((k) => cfg[k] === CHEMISTRY[c].defaults[k])) ?? null;
}

export interface ValidateOptions {
  chemistry: Chemistry;
  /** Accept limits outside the chemistry's survivable bounds (never the ordering). */
  force: boolean;
}

export interface Contradiction {
  code: 'EEPROM_ORDER' | 'EEPROM_BOUNDS';
  message: string;
  hint: string;
}

const VOLTAGE_KEYS: readonly (keyof ProtectionLimits)[] = ['uvloCutoff', 'uvloRelease', 'ovloRelease', 'ovloCutoff'];

/**
 * Every rule the limits break, ordering first. Ordering (always enforced):
 * uvlo_cutoff < uvlo_release < ovlo_release < ovlo_cutoff — each release sits inside its cutoff
 * (the hysteresis that stops the output chattering), and the under-voltage pair sits below the
 * over-voltage pair. Bounds (skipped with `force`): the chemistry's survivable window.
 */
export function findContradictions(cfg: ProtectionLimits, { chemistry, force }: ValidateOptions): Contradiction[] {
  const found: Contradiction[] = [];
  const show = (k: keyof ProtectionLimits) => `${fieldFor(k).option} ${cfg[k]} ${fieldFor(k).unit}`;
  const forceNote = force ? ' (--force does not override the ordering)' : '';
  const order = (low: keyof ProtectionLimits, high: keyof ProtectionLimits, why: string, fix: string) => {
    if (cfg[low] < cfg[high]) return;
    found.push({
      code: 'EEPROM_ORDER',
      message: `${show(low)} must be below ${show(high)}: ${why}`,
      hint: fix + forceNote,
    });
  };
  order('uvloCutoff', 'uvloRelease', 'the under-voltage release has to sit above its cutoff', 'lower --uvlo-cutoff or raise --uvlo-release');
  order('uvloRelease', 'ovloRelease', 'the under-voltage limits have to sit below the over-voltage limits', 'lower --uvlo-release or raise --ovlo-release');
  order('ovloRelease', 'ovloCutoff', 'the over-voltage release has to sit below its cutoff', 'lower --ovlo-release or raise --ovlo-cutoff');
  if (force) return found;

  const { label, bounds } = CHEMISTRY[chemistry];
  const other = chemistry === 'LTO' ? 'NAION' : 'LTO';
  const escape = `use --chemistry ${other} if the cell is ${CHEMISTRY[other].label}, or --force if your cell's datasheet allows it`;
  for (const k of VOLTAGE_KEYS) {
    const v = cfg[k];
    if (v >= bounds.minMv && v <= bounds.maxMv) continue;
    const side = v < bounds.minMv ? `below the ${bounds.minMv} mV` : `above the ${bounds.maxMv} mV`;
    found.push({
      code: 'EEPROM_BOUNDS',
      message: `${show(k)} is ${side} a ${label} cell survives`,
      hint: `keep ${chemistry} voltage limits within ${bounds.minMv}–${bounds.maxMv} mV; ${escape}`,
    });
  }
  if (cfg.maxCurrent > bounds.maxCurrentMa) {
    found.push({
      code: 'EEPROM_BOUNDS',
      message: `${show('maxCurrent')} is above the ${bounds.maxCurrentMa} mA the board is built for`,
      hint: `the board is designed for 1 A; keep --max-current at most ${bounds.maxCurrentMa} mA, or pass --force`,
    });
  }
  return found;
}

/** Throws the first contradiction as a UsageError (exit 2); the others go into its hint. */
export function validateConfig(cfg: ProtectionLimits, options: ValidateOptions): void {
  const [first, ...rest] = findContradictions(cfg, options);
  if (!first) return;
  const more = rest.length ? `; also: ${rest.map((c) => c.message).join('; ')}` : '';
  throw new UsageError(first.message, {
    code: first.code,
    hint: first.hint + more,
    details: { contradictions: [first, ...rest] },
  });
}

/** The error `decode` ends with when the firmware would reject the image (exit 1). */
export function invalidImageError(d: DecodedImage, source: string): LtobmsError | undefined {
  const problems: string[] = [];
  if (!d.magicValid) problems.push(`magic is ${hex(d.magic)}, not ${hex(EEPROM_MAGIC)}`);
  if (!d.crcValid) problems.push(`CRC is ${hex(d.crc)} but the bytes give ${hex(d.crcComputed)}`);
  if (problems.length === 0) return undefined;
  return new LtobmsError(`${source} is not a valid configuration: ${problems.join(', ')}`, {
    code: 'EEPROM_INVALID',
    hint: 'the firmware would ignore it and fall back to its defaults; regenerate it with `ltobms eeprom --sn N`',
    details: { magic: d.magic, crc: d.crc, crcComputed: d.crcComputed },
  });
}
