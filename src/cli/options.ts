/**
 * Number options (--baud, --count, --timeout …) as every command reads them: one grammar, one
 * range check, one message. Digits only, in decimal, with an optional fraction where a rule allows
 * one; surrounding spaces are ignored. No signs, exponents or `0x` (what `Number()` would also
 * take): a typo such as `1e5` for `15` is refused instead of becoming 100000.
 *
 * The EEPROM fields (--sn, --ovlo-cutoff …) are not read here: they keep the original tool's
 * Python `int()` rules, hexadecimal fallback included (src/eeprom/parse.ts).
 */
import { UsageError } from '../errors.js';

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only (default); `false` allows a fraction (`1.8`, `0.5`). */
  integer?: boolean;
  /** What the number is, for the message: "expected <what> from min to max". Default: "a whole number" or "a number". */
  what?: string;
  /** The fix shown under the error, e.g. "for example --count 50". */
  hint: string;
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/** The value of one number option, or a usage error naming the option, the text and the range. */
export function parseNumberOption(text: string, option: string, rule: NumberRule): number {
  const integer = rule.integer !== false;
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!(integer ? WHOLE : DECIMAL).test(trimmed) || !Number.isSafeInteger(Math.trunc(value)) || value < rule.min || value > rule.max) {
    const what = rule.what ?? (integer ? 'a whole number' : 'a number');
    throw new UsageError(`${option} ${text}: expected ${what} from ${rule.min} to ${rule.max}`, {
      code: 'USAGE',
      hint: rule.hint,
      details: { option, value: text, min: rule.min, max: rule.max },
    });
  }
  return value;
}
