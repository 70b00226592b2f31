/**
 * The log frame contract (shared/HARDWARE.md, "Log frames"): strict parsing of one UART line into a
 * typed frame, and re-serialisation of a frame plus a host timestamp as InfluxDB line protocol.
 *
 *   lto-bms,id=0007 uptime=60i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,E_chg=1i,charge=-1i,temp=297i,gain=16i,state="BMS_STATE_CHARGING"
 *
 * Every line is classified as a frame, debug text (printable ASCII that is not frame-like) or garbage
 * (anything else). The parser works on raw bytes without building intermediate strings, because the
 * backfill path (`ltobms log --replay`) parses millions of lines; `bench/log.ts` measures it.
 * Points are always re-serialised from the typed values (never forwarded raw), so a corrupt line
 * cannot smuggle extra tags, fields or measurements into the database.
 */
import { hex2 } from '../util/hex.js';

/** Protection states, numbered 0–7 in this order by the firmware; their names appear in frames. */
export const BMS_STATES = [
  'BMS_STATE_INVALID',
  'BMS_STATE_UVLO',
  'BMS_STATE_OVLO',
  'BMS_STATE_OCLO',
  'BMS_STATE_CHARGING',
  'BMS_STATE_DISCHARGING',
  'BMS_STATE_IDLE',
  'BMS_STATE_ERR',
] as const;
export type BmsState = (typeof BMS_STATES)[number];

export const MEASUREMENTS = ['lto-bms', 'nai-bms'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** Longest line accepted from the wire (a real frame is about 150 bytes). */
export const MAX_LINE_BYTES = 512;

const U32 = 4_294_967_295;
const I32_MIN = -2_147_483_648;
const I32_MAX = 2_147_483_647;

/**
 * The integer fields in the order the firmware prints them, with the range a value must lie in.
 * Counters that can only grow are unsigned 32-bit; signed quantities (current, charge, and the
 * energies, which an old firmware may accumulate with a sign) are signed 32-bit; voltages and the
 * temperature in kelvin are 16-bit; the PGA gain is one of the five gains the ADC offers.
 */
export const INTEGER_FIELDS = [
  { name: 'uptime', unit: 's', min: 0, max: U32 },
  { name: 'v_batt', unit: 'mV', min: 0, max: 65_535 },
  { name: 'v_load', unit: 'mV', min: 0, max: 65_535 },
  { name: 'current', unit: 'mA', min: I32_MIN, max: I32_MAX },
  { name: 'E_dis', unit: 'mWh', min: I32_MIN, max: U32 },
  { name: 'E_chg', unit: 'mWh', min: I32_MIN, max: U32 },
  { name: 'charge', unit: 'mAh', min: I32_MIN, max: I32_MAX },
  { name: 'temp', unit: 'K', min: 0, max: 65_535 },
  { name: 'gain', unit: '', min: 1, max: 16 },
] as const;
export type IntegerField = (typeof INTEGER_FIELDS)[number]['name'];
const PGA_GAINS = [1, 2, 4, 8, 16];

/** Every field of a frame, in wire order (`state` last). */
export const FRAME_FIELDS: readonly string[] = [...INTEGER_FIELDS.map((f) => f.name), 'state'];

export type Frame = { measurement: Measurement; id: string; state: BmsState } & Record<IntegerField, number>;

/** A frame with the host timestamp it was received at (ns since the Unix epoch). */
export interface Point {
  frame: Frame;
  timeNs: bigint;
}

export type GarbageReason =
  | 'oversized'
  | 'partial'
  | 'invalid-utf8'
  | 'non-ascii'
  | 'control-bytes'
  | 'bad-frame';

export type LineClass =
  | { kind: 'frame'; frame: Frame; timeNs: bigint | undefined }
  | { kind: 'debug'; text: string }
  | { kind: 'garbage'; reason: GarbageReason; detail: string }
  | { kind: 'blank' };

export interface ClassifyOptions {
  /**
   * `forbidden` (the wire: the host adds the time), `required` (recorded files and the spool),
   * or `optional`.
   */
  timestamp?: 'forbidden' | 'required' | 'optional';
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const PREFIXES = MEASUREMENTS.map((m) => ascii(`${m},id=`));
const KEY_BYTES = FRAME_FIELDS.map(ascii);
const STATE_PREFIX = ascii('"BMS_STATE_');
const STATE_SUFFIXES = BMS_STATES.map((s) => ascii(s.slice('BMS_STATE_'.length)));
const ALL_FIELDS_MASK = (1 << FRAME_FIELDS.length) - 1;
const STATE_INDEX = FRAME_FIELDS.length - 1;
/** Substrings that make a line "frame-like": such a line is garbage if it fails validation. */
const FRAME_MARKERS = ['lto-bms', 'nai-bms', ',id=', 'uptime=', 'v_batt=', 'state="'];

const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const LETTER_I = 0x69;

function bytesEqual(b: Uint8Array, at: number, end: number, want: Uint8Array): boolean {
  if (end - at < want.length) return false;
  for (let k = 0; k < want.length; k++) if (b[at + k] !== want[k]) return false;
  return true;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** Outcome of {@link parseFrameBytes}: the frame, or why the line is not one. */
export type FrameParse = { frame: Frame; timeNs: bigint | undefined } | { error: string };

/**
 * Parses `b[start, end)` (one line, no line ending) as a frame, strictly: measurement `lto-bms` or
 * `nai-bms`, exactly one tag `id` of 4 upper-case hex digits, every contract field exactly once
 * (any order), integers with the `i` suffix inside their range, `state` one of the eight names,
 * and a timestamp as the options say.
 */
export function parseFrameBytes(b: Uint8Array, start: number, end: number, options: ClassifyOptions = {}): FrameParse {
  const timestamp = options.timestamp ?? 'forbidden';
  let measurement: Measurement;
  if (bytesEqual(b, start, end, PREFIXES[0]!)) measurement = MEASUREMENTS[0];
  else if (bytesEqual(b, start, end, PREFIXES[1]!)) measurement = MEASUREMENTS[1];
  else return { error: 'measurement must be lto-bms or nai-bms followed by the tag id' };
  let p = start + PREFIXES[0]!.length;
  if (end - p < 5) return { error: 'line ends inside the id tag' };
  for (let k = 0; k < 4; k++) {
    const c = b[p + k]!;
    if (!((c >= DIGIT_0 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) {
      return { error: 'tag id must be 4 upper-case hex digits' };
    }
  }
  const id = String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
  p += 4;
  if (b[p] !== SPACE) return { error: 'expected exactly one tag (id) followed by a space' };
  p++;

  const values = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  let state: BmsState = BMS_STATES[0];
  let seen = 0;
  let timeNs: bigint | undefined;
  for (;;) {
    const keyStart = p;
    while (p < end && b[p] !== EQUALS) p++;
    if (p >= end) return { error: `field without a value at byte ${keyStart - start}` };
    let field = -1;
    const keyLength = p - keyStart;
    for (let f = 0; f < KEY_BYTES.length; f++) {
      if (KEY_BYTES[f]!.length === keyLength && bytesEqual(b, keyStart, p, KEY_BYTES[f]!)) {
        field = f;
        break;
      }
    }
    if (field < 0) return { error: `unknown field ${JSON.stringify(latin1(b, keyStart, p))}` };
    if (seen & (1 << field)) return { error: `field ${FRAME_FIELDS[field]} appears twice` };
    seen |= 1 << field;
    p++; // '='
    if (field === STATE_INDEX) {
      if (!bytesEqual(b, p, end, STATE_PREFIX)) return { error: 'state must be a quoted BMS_STATE_* name' };
      p += STATE_PREFIX.length;
      const nameStart = p;
      while (p < end && b[p] !== QUOTE) p++;
      if (p >= end) return { error: 'state string is not closed' };
      let which = -1;
      for (let s = 0; s < STATE_SUFFIXES.length; s++) {
        if (STATE_SUFFIXES[s]!.length === p - nameStart && bytesEqual(b, nameStart, p, STATE_SUFFIXES[s]!)) {
          which = s;
          break;
        }
      }
      if (which < 0) return { error: `unknown state BMS_STATE_${latin1(b, nameStart, p)}` };
      state = BMS_STATES[which]!;
      p++; // closing quote
    } else {
      const negative = b[p] === MINUS;
      if (negative) p++;
      const digitsStart = p;
      let value = 0;
      while (p < end) {
        const d = b[p]! - DIGIT_0;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        p++;
      }
      const digits = p - digitsStart;
      const spec = INTEGER_FIELDS[field]!;
      if (digits === 0 || digits > 11) return { error: `field ${spec.name} is not an integer` };
      if (p >= end || b[p] !== LETTER_I) return { error: `field ${spec.name} must be an integer with the i suffix` };
      p++;
      if (negative) value = -value;
      if (value < spec.min || value > spec.max) {
        return { error: `field ${spec.name}=${value} is outside ${spec.min}…${spec.max}` };
      }
      if (field === 8 && !PGA_GAINS.includes(value)) return { error: `gain ${value} is not one of 1, 2, 4, 8, 16` };
      values[field] = value;
    }
    if (p === end) break;
    if (b[p] === COMMA) {
      p++;
      continue;
    }
    if (b[p] === SPACE) {
      p++;
      if (timestamp === 'forbidden') return { error: 'a frame from the board carries no timestamp' };
      const tsStart = p;
      while (p < end && b[p]! >= DIGIT_0 && b[p]! <= 0x39) p++;
      if (p !== end || p === tsStart || p - tsStart > 19) return { error: 'timestamp must be 1–19 digits of ns' };
      timeNs = BigInt(latin1(b, tsStart, end));
      if (timeNs > 9_223_372_036_854_775_807n) return { error: 'timestamp beyond the int64 range' };
      break;
    }
    return { error: `unexpected byte 0x${hex2(b[p]!)} after field ${FRAME_FIELDS[field]}` };
  }
  if (seen !== ALL_FIELDS_MASK) {
    const missing = FRAME_FIELDS.filter((_, i) => !(seen & (1 << i)));
    return { error: `missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  }
  if (timestamp === 'required' && timeNs === undefined) return { error: 'the line has no timestamp' };
  const frame: Frame = {
    measurement,
    id,
    uptime: values[0]!,
    v_batt: values[1]!,
    v_load: values[2]!,
    current: values[3]!,
    E_dis: values[4]!,
    E_chg: values[5]!,
    charge: values[6]!,
    temp: values[7]!,
    gain: values[8]!,
    state,
  };
  return { frame, timeNs };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A printable preview of a garbage line for messages: escapes, cut at 60 characters. */
export function previewBytes(b: Uint8Array, start = 0, end = b.length): string {
  let out = '';
  for (let i = start; i < end && out.length < 60; i++) {
    const c = b[i]!;
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${hex2(c)}`;
  }
  return end - start > 60 ? out + '…' : out;
}

/**
 * Where the last frame start (`lto-bms,id=` or `nai-bms,id=`) after the line's first byte is, or
 * -1. A complete frame has exactly one, at byte 0; one further in means the line began with the
 * rest of a frame the board never finished (it reset mid-line) and a new frame follows.
 */
export function lastFrameStart(b: Uint8Array, start = 0, end = b.length): number {
  for (let i = end - PREFIXES[0]!.length; i > start; i--) {
    if (b[i] === PREFIXES[0]![0] || b[i] === PREFIXES[1]![0]) {
      if (bytesEqual(b, i, end, PREFIXES[0]!) || bytesEqual(b, i, end, PREFIXES[1]!)) return i;
    }
  }
  return -1;
}

/** Classifies one complete line `b[start, end)` (line ending already removed). */
export function classifyLine(b: Uint8Array, start = 0, end = b.length, options: ClassifyOptions = {}): LineClass {
  const length = end - start;
  if (length === 0) return { kind: 'blank' };
  if (length > MAX_LINE_BYTES) return { kind: 'garbage', reason: 'oversized', detail: `${length} bytes` };
  let nonAscii = false;
  let control = false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x7f) nonAscii = true;
    else if (c < 0x20 && c !== 0x09) control = true;
  }
  if (nonAscii) {
    try {
      utf8Strict.decode(b.subarray(start, end));
    } catch {
      return { kind: 'garbage', reason: 'invalid-utf8', detail: previewBytes(b, start, end) };
    }
    return { kind: 'garbage', reason: 'non-ascii', detail: previewBytes(b, start, end) };
  }
  if (control) return { kind: 'garbage', reason: 'control-bytes', detail: previewBytes(b, start, end) };
  const parsed = parseFrameBytes(b, start, end, options);
  if ('frame' in parsed) return { kind: 'frame', frame: parsed.frame, timeNs: parsed.timeNs };
  const text = latin1(b, start, end);
  if (FRAME_MARKERS.some((m) => text.includes(m))) {
    return { kind: 'garbage', reason: 'bad-frame', detail: `${parsed.error}: ${previewBytes(b, start, end)}` };
  }
  if (text.trim() === '') return { kind: 'blank' };
  return { kind: 'debug', text };
}

/**
 * The frame as one line of InfluxDB line protocol with the timestamp in ns. Every part comes from a
 * validated value (hex id, enum state, range-checked integers), so nothing needs escaping.
 */
export function formatPoint(f: Frame, timeNs: bigint): string {
  return (
    `${f.measurement},id=${f.id} uptime=${f.uptime}i,v_batt=${f.v_batt}i,v_load=${f.v_load}i,current=${f.current}i,` +
    `E_dis=${f.E_dis}i,E_chg=${f.E_chg}i,charge=${f.charge}i,temp=${f.temp}i,gain=${f.gain}i,state="${f.state}" ${timeNs}`
  );
}

/** The series a frame belongs to (measurement + tag set): timestamps are unique per series. */
export function seriesKey(f: Frame): string {
  return `${f.measurement},id=${f.id}`;
}
