/**
 * Number parsing exactly as the original `eeprom.py` did it.
 *
 * The original validators ran Python's `int(text)` and, if that raised, `int(text, 16)`; then
 * they checked the range (u16 0–65535, i16 −32768–32767). Every value the old tool accepted must
 * give the same number here, so this module re-implements Python's `int(str, base)` grammar
 * for bases 10 and 16 (CPython 3.11, `PyLong_FromUnicodeObject` + `PyLong_FromString`):
 *
 * - Unicode decimal digits (category Nd, e.g. Arabic-Indic `٣`, full-width `７`) count as
 *   their ASCII digit, and the non-ASCII Unicode spaces as a space; all other non-ASCII
 *   characters are invalid (so full-width `ａ` is not a hex digit).
 * - Surrounding whitespace is ignored: ASCII space, \t \n \v \f \r and those Unicode spaces
 *   (U+001C–U+001F are *not* stripped, unlike in str.strip()).
 * - An optional `+` or `-` sign directly before the digits.
 * - Base 16 only: an optional `0x`/`0X` prefix after the sign, optionally followed by one `_`.
 * - Single underscores between digits (PEP 515): `1_0` is 10, `1__0`, `_1` and `1_` are invalid.
 * - Leading zeros are fine (`007` is 7): that restriction exists only for base 0.
 * - CPython ≥ 3.11 refuses decimal strings of more than 4300 digits (underscores not counted)
 *   with a ValueError, which made the old tool fall through to hexadecimal; kept for fidelity.
 *
 * So `7` → 7, `ff` → 255, `0x10` → 16 (decimal fails, hex accepts the prefix), `1e3` → 0x1e3 = 483,
 * `10` → 10 (decimal wins), ` -5 ` → −5. The digit table is the one of the running Node.js
 * (Unicode 15+), which only adds digits of scripts newer than the Python the old tool ran on.
 */
import { UsageError } from '../errors.js';

/** CPython's default `sys.get_int_max_str_digits()`. */
export const PYTHON_INT_MAX_STR_DIGITS = 4300;

/** The non-ASCII characters Python's `str.isspace()` accepts (Unicode 14 and 15 agree). */
const UNICODE_SPACE = /[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gu;
const ND = /^\p{Nd}$/u;

function isDecimalDigit(codePoint: number): boolean {
  return codePoint >= 0 && ND.test(String.fromCodePoint(codePoint));
}

/**
 * Value of a Unicode decimal digit. Nd characters come in runs of ten, 0 to 9; adjacent runs
 * (the mathematical digit styles) are stacked, so the offset from the start of the whole
 * contiguous block, modulo 10, is the digit.
 */
function decimalDigitValue(codePoint: number): number {
  let start = codePoint;
  while (isDecimalDigit(start - 1)) start--;
  return (codePoint - start) % 10;
}

/** Python's `_PyUnicode_TransformDecimalAndSpaceToASCII`: Nd → '0'–'9', spaces → ' ', else '?'. */
function toPythonAscii(text: string): string {
  let out = '';
  for (const ch of text.replace(UNICODE_SPACE, ' ')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += ch;
    else if (isDecimalDigit(cp)) out += String(decimalDigitValue(cp));
    else out += '?';
  }
  return out;
}

const DIGITS = { 10: '[0-9]', 16: '[0-9a-fA-F]' } as const;

/**
 * Python's `int(text, base)` for base 10 or 16: the value, or undefined where Python raises
 * ValueError. Returns a bigint so that huge inputs stay exact for the range check.
 */
export function pythonInt(text: string, base: 10 | 16): bigint | undefined {
  // Only ASCII whitespace remains after the transform; Py_ISSPACE is exactly this set.
  const s = toPythonAscii(text).replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  let sign = 1n;
  let body = s;
  if (body.startsWith('+') || body.startsWith('-')) {
    if (body.startsWith('-')) sign = -1n;
    body = body.slice(1);
  }
  let prefixed = false;
  if (base === 16 && /^0[xX]/.test(body)) {
    body = body.slice(2);
    prefixed = true;
  }
  const d = DIGITS[base];
  if (!new RegExp(`^${prefixed ? '_?' : ''}${d}+(?:_${d}+)*$`).test(body)) return undefined;
  const digits = body.replace(/_/g, '');
  if (base === 10 && digits.length > PYTHON_INT_MAX_STR_DIGITS) return undefined;
  return sign * BigInt(base === 16 ? `0x${digits}` : digits);
}

/** The original tool's rule: decimal, else hexadecimal. Undefined if neither parses. */
export function parseOriginalNumber(text: string): bigint | undefined {
  return pythonInt(text, 10) ?? pythonInt(text, 16);
}

export type IntType = 'u16' | 'i16';
export const INT_RANGE: Record<IntType, { min: number; max: number }> = {
  u16: { min: 0, max: 0xffff },
  i16: { min: -0x8000, max: 0x7fff },
};

/**
 * Parses one option value as the original tool did and checks its range.
 * `option` names the option in the error (`--sn`), so the user knows which value to fix.
 */
export function parseInteger(text: string, type: IntType, option: string): number {
  const { min, max } = INT_RANGE[type];
  const value = parseOriginalNumber(text);
  const shown = JSON.stringify(text);
  if (value === undefined) {
    throw new UsageError(`${option} ${shown} is not a number`, {
      code: 'EEPROM_NOT_A_NUMBER',
      hint: `give ${option} in decimal (1800) or hexadecimal (708, 0x708); allowed ${min}–${max}`,
      details: { option, value: text },
    });
  }
  if (value < BigInt(min) || value > BigInt(max)) {
    const decimal = pythonInt(text, 10) !== undefined;
    const asRead = decimal ? '' : ` (read as hexadecimal: ${value})`;
    throw new UsageError(`${option} ${shown}${asRead} is out of range: it is a 16-bit ${type === 'u16' ? 'unsigned' : 'signed'} field, allowed ${min}–${max}`, {
      code: 'EEPROM_RANGE',
      hint: `choose ${option} between ${min} and ${max}`,
      details: { option, value: text, min, max },
    });
  }
  return Number(value);
}

/**
 * Writes one little-endian 16-bit field of an image after checking that `value` fits its type;
 * `what` names it in the UsageError (`serial_number`, `calibration vbatt_gain`).
 */
export function putIntField(view: DataView, offset: number, type: IntType, value: number, what: string, error: { code: string; hint?: string }): void {
  const { min, max } = INT_RANGE[type];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} = ${value} does not fit its ${type} field (${min}–${max})`, { ...error, details: { field: what, value } });
  }
  if (type === 'i16') view.setInt16(offset, value, true);
  else view.setUint16(offset, value, true);
}
