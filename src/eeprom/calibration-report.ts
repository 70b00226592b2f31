/**
 * The calibration block for people: read from a JSON file's text (`eeprom --cal FILE.json`) and
 * shown as gains in ppm and per cent with offsets in their units (`eeprom`, `eeprom decode`).
 * Pure: text in, objects out.
 */
import { UsageError } from '../errors.js';
import { CALIBRATION_FIELDS, CALIBRATION_SIZE, GAIN_ONE, IDENTITY_CALIBRATION, encodeCalibration, type Calibration, type DecodedCalibration, type LinearCal } from './calibration.js';
import { hexBytes } from '../util/hex.js';

const CHANNELS = ['vbatt', 'vload', 'current'] as const;
type Channel = (typeof CHANNELS)[number];
const KEYS = [...CHANNELS, 'tempOffsetK'];
const EXAMPLE = '{"vbatt": {"gain": 33096, "offset": -12}, "current": {"gain": 32768, "offset": -25}, "tempOffsetK": -3}';

function bad(message: string, source: string): UsageError {
  return new UsageError(`${source}: ${message}`, {
    code: 'CALIBRATION_JSON',
    hint: `a calibration file is a JSON object such as ${EXAMPLE}; gains are Q15 (32768 = 1.0), omitted parts stay identity`,
  });
}

function integer(value: unknown, where: string, source: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(`${where} is ${JSON.stringify(value)}, not a whole number`, source);
  return value;
}

/**
 * A Calibration from JSON text: `{vbatt?, vload?, current?: {gain?, offset?}, tempOffsetK?}`,
 * whatever is left out is identity; unknown keys are refused (a typo would silently calibrate
 * nothing). Ranges are checked here too, so a bad file fails before any port is opened.
 */
export function parseCalibrationJson(text: string, source: string): Calibration {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`, source);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('the top level is not an object', source);
  const obj = data as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw bad(`unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${KEYS.join(', ')})`, source);
  const linear = (channel: Channel): LinearCal => {
    const part = obj[channel];
    if (part === undefined) return { ...IDENTITY_CALIBRATION[channel] };
    if (typeof part !== 'object' || part === null || Array.isArray(part)) throw bad(`${channel} is not an object with gain and offset`, source);
    const p = part as Record<string, unknown>;
    const extra = Object.keys(p).filter((k) => k !== 'gain' && k !== 'offset');
    if (extra.length) throw bad(`unknown key ${extra.map((k) => JSON.stringify(k)).join(', ')} in ${channel} (known: gain, offset)`, source);
    return {
      gain: p.gain === undefined ? GAIN_ONE : integer(p.gain, `${channel}.gain`, source),
      offset: p.offset === undefined ? 0 : integer(p.offset, `${channel}.offset`, source),
    };
  };
  const cal: Calibration = {
    vbatt: linear('vbatt'),
    vload: linear('vload'),
    current: linear('current'),
    tempOffsetK: obj.tempOffsetK === undefined ? 0 : integer(obj.tempOffsetK, 'tempOffsetK', source),
  };
  try {
    encodeCalibration(cal); // the range check, naming the field
  } catch (err) {
    throw err instanceof UsageError ? err.withContext(source) : err;
  }
  return cal;
}

/** One corrected quantity: the gain as it is stored and as a correction. */
export interface GainView {
  /** Q15 as stored. */
  gain: number;
  /** (gain − 1) in parts per million, rounded. */
  gainPpm: number;
  offset: number;
  offsetUnit: 'mV' | 'counts';
}

/** The --json of a calibration block, in `eeprom` and `eeprom decode`; the human view shows the same. */
export interface CalibrationReport {
  /** The firmware applies it (magic and CRC right); otherwise it reads as identity. */
  valid: boolean;
  magic: number;
  version: number;
  crc: number;
  crcComputed: number;
  /** The raw fields by their firmware names. */
  fields: Record<string, number>;
  vbatt: GainView;
  vload: GainView;
  current: GainView;
  tempOffsetK: number;
  /** The 20 bytes as hex. */
  hex: string;
}

export function gainPpm(gain: number): number {
  return Math.round(((gain - GAIN_ONE) / GAIN_ONE) * 1e6);
}

function view(c: LinearCal, offsetUnit: GainView['offsetUnit']): GainView {
  return { gain: c.gain, gainPpm: gainPpm(c.gain), offset: c.offset, offsetUnit };
}

/** The report of a block as read: its fields as they lie, even when the block is invalid. */
export function calibrationReport(d: DecodedCalibration, block: Uint8Array): CalibrationReport {
  const fields: Record<string, number> = {};
  for (const f of CALIBRATION_FIELDS) fields[f.name] = f.get(d.raw);
  return {
    valid: d.valid,
    magic: d.magic,
    version: d.version,
    crc: d.crc,
    crcComputed: d.crcComputed,
    fields,
    vbatt: view(d.raw.vbatt, 'mV'),
    vload: view(d.raw.vload, 'mV'),
    current: view(d.raw.current, 'counts'),
    tempOffsetK: d.raw.tempOffsetK,
    hex: hexBytes(block.subarray(0, CALIBRATION_SIZE), ''),
  };
}

/** A gain as a factor: "×1.010010". */
export function ratio(g: GainView): string {
  return `×${(g.gain / GAIN_ONE).toFixed(6)}`;
}

/** A gain as stored and as a correction: "33096 = ×1.010010 (+1.0010 %, +10010 ppm)". */
export function formatGain(g: GainView): string {
  const sign = g.gainPpm > 0 ? '+' : g.gainPpm < 0 ? '−' : '±';
  const abs = Math.abs(g.gainPpm);
  return `${g.gain} = ${ratio(g)} (${sign}${(abs / 1e4).toFixed(4)} %, ${sign}${abs} ppm)`;
}

/** The rows of the human view, under `eeprom decode`'s configuration rows. */
export function calibrationRows(r: CalibrationReport | null): [string, string][] {
  if (!r) return [['calibration', 'no calibration block (identity)']];
  const state = r.valid ? `valid (magic 0xCA1B, version ${r.version})` : `INVALID (${r.magic === 0xca1b ? '' : `magic 0x${r.magic.toString(16).toUpperCase().padStart(4, '0')}, `}CRC ${r.crc === r.crcComputed ? 'right' : 'wrong'}): the firmware ignores it and reads as identity`;
  const offset = (g: GainView) => (g.offsetUnit === 'mV' ? `${g.offset} mV` : `${g.offset} counts of the ADC sum`);
  return [
    ['calibration', state],
    ['vbatt', `gain ${formatGain(r.vbatt)}, offset ${offset(r.vbatt)}`],
    ['vload', `gain ${formatGain(r.vload)}, offset ${offset(r.vload)}`],
    ['current', `gain ${formatGain(r.current)}, offset ${offset(r.current)}`],
    ['temperature', `offset ${r.tempOffsetK} K (temp_offset_cal, after temp_offset)`],
    ['cal hex', r.hex],
  ];
}
