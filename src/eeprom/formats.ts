/**
 * The three ways an image travels: raw bytes (.bin), Intel HEX at the EEPROM base 0x810000
 * (.hex, what avr-objcopy produced for the original Makefile), and the lower-case hex string
 * the original tool printed. Pure: text and bytes in, text and bytes out.
 */
import { UsageError } from '../errors.js';
import { AVR_HEX_BASE, formatIntelHex, parseIntelHex, splitAvrMemories, toFlatImage } from '../image/ihex.js';
import { CONFIG_SIZE } from './image.js';
import { ATTINY824 } from '../part/attiny824.js';
import { hexBytes } from '../util/hex.js';

export type ImageFormat = 'raw' | 'ihex' | 'hexstring';
export const IMAGE_FORMATS: readonly ImageFormat[] = ['raw', 'ihex', 'hexstring'];

/** ATtiny824 EEPROM size: the largest image a hex file may carry for it. */
export const EEPROM_BYTES = ATTINY824.eepromSize;

export function parseFormat(text: string): ImageFormat {
  const f = text.trim().toLowerCase();
  if ((IMAGE_FORMATS as readonly string[]).includes(f)) return f as ImageFormat;
  throw new UsageError(`--format ${JSON.stringify(text)} is not an image format`, {
    code: 'EEPROM_FORMAT',
    hint: 'use --format raw (binary), ihex (Intel HEX at 0x810000) or hexstring (one line of hex digits)',
  });
}

/** The format a file name implies: `.hex`/`.ihex` → Intel HEX, anything else raw (as the original -f). */
export function formatFromPath(path: string): ImageFormat {
  return /\.i?hex$/i.test(path) ? 'ihex' : 'raw';
}

/** The file content (or stdout text) for an image in one format. */
export function renderImage(bytes: Uint8Array, format: ImageFormat): Uint8Array | string {
  switch (format) {
    case 'raw':
      return bytes;
    case 'ihex':
      return formatIntelHex([{ address: AVR_HEX_BASE.eeprom, data: bytes }]);
    case 'hexstring':
      return hexBytes(bytes, '') + '\n';
  }
}

/**
 * The EEPROM bytes from offset 0 in an Intel HEX file (other memories are ignored), at least
 * the 20 configuration bytes. Errors name the file and say where the data should be.
 */
export function eepromFromIntelHex(text: string, source: string): Uint8Array {
  const { eeprom } = splitAvrMemories(parseIntelHex(text, source), source);
  const covered = new Uint8Array(EEPROM_BYTES);
  for (const s of eeprom) covered.fill(1, s.address, Math.min(EEPROM_BYTES, s.address + s.data.length));
  const missing = covered.subarray(0, CONFIG_SIZE).indexOf(0);
  if (missing !== -1) {
    const where = eeprom.length ? `no data at 0x${(AVR_HEX_BASE.eeprom + missing).toString(16)}` : 'no EEPROM data at all';
    throw new UsageError(`${source} has ${where}; the configuration is the 20 bytes at 0x810000–0x810013`, {
      code: 'EEPROM_HEX_NO_CONFIG',
      hint: 'the EEPROM section of an AVR hex file starts at 0x810000; write one with `ltobms eeprom --sn N -f config.hex`',
    });
  }
  let end = CONFIG_SIZE;
  while (end < EEPROM_BYTES && covered[end]) end++;
  return toFlatImage(eeprom, EEPROM_BYTES, 0xff, `${source} EEPROM data`).slice(0, end);
}

/**
 * Bytes from a hex string: the original tool's output, optionally with whitespace, `:` or `-`
 * between bytes, or a `0x` prefix. Returns undefined if the text is not hex at all.
 */
export function parseHexString(text: string): Uint8Array | undefined {
  const digits = text.trim().replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  if (digits.length % 2) {
    throw new UsageError(`the hex string has ${digits.length} digits, an odd number, so it is not whole bytes`, {
      code: 'EEPROM_HEXSTRING',
      hint: 'a configuration image is 40 hex digits (20 bytes), as printed by `ltobms eeprom --sn N`',
    });
  }
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}
