/**
 * Hexadecimal text for messages, dumps and files, in one place. Always lower case (as avrdude,
 * the original eeprom tool and the ledger write it); `0x` only where a number stands alone.
 */

/** Two hex digits, no prefix: 0x0a → "0a" (a byte inside a dump or a message that adds `0x`). */
export function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** `0x` and at least `digits` hex digits: addresses and words in messages (0x1400, 0x5a). */
export function hex(value: number, digits = 4): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}

/**
 * Bytes as two hex digits each, `separator` between them: "1e 93 29" for frame dumps and
 * messages, `''` for one string of digits ("1e9329", the original tool's output and the ledger's).
 */
export function hexBytes(bytes: ArrayLike<number>, separator = ' '): string {
  return Array.from(bytes, hex2).join(separator);
}
