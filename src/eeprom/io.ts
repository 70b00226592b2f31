/**
 * File I/O for images: atomic writes and reading a `decode` source. The only module under
 * src/eeprom that touches the file system.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LtobmsError, UsageError } from '../errors.js';
import { eepromFromIntelHex, parseHexString, type ImageFormat } from './formats.js';
import type { Calibration } from './calibration.js';
import { parseCalibrationJson } from './calibration-report.js';

/**
 * Writes `data` to a temporary file in the target's folder and renames it over the target, so
 * a reader (or a crash) sees either the old file or the whole new one, never half of it.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fileError(err, path, 'write');
  }
}

/** A decode source: where the bytes came from and how they were encoded. */
export interface ImageSource {
  bytes: Uint8Array;
  /** For messages: the file name, or "the hex string". */
  name: string;
  format: ImageFormat;
}

/**
 * `decode`'s argument: an existing file (Intel HEX if it ends in .hex or starts with ':', else
 * raw bytes), otherwise a hex string.
 */
export async function readImageSource(arg: string): Promise<ImageSource> {
  const info = await stat(arg).catch(() => undefined);
  if (info?.isFile()) {
    const data = await readFile(arg).catch((err: unknown) => {
      throw fileError(err, arg, 'read');
    });
    const looksHex = /\.i?hex$/i.test(arg) || data.subarray(0, 16).toString('latin1').trimStart().startsWith(':');
    if (looksHex) return { bytes: eepromFromIntelHex(data.toString('latin1'), arg), name: arg, format: 'ihex' };
    return { bytes: new Uint8Array(data), name: arg, format: 'raw' };
  }
  if (info) throw new UsageError(`${arg} is not a file`, { code: 'EEPROM_SOURCE' });
  const bytes = parseHexString(arg);
  if (!bytes) {
    throw new UsageError(`${JSON.stringify(arg)} is neither an existing file nor a hex string`, {
      code: 'EEPROM_SOURCE',
      hint: 'pass a .bin or .hex file, or the 40-digit hex string `ltobms eeprom` prints',
    });
  }
  return { bytes, name: 'the hex string', format: 'hexstring' };
}

/** `--cal FILE.json`: the calibration it holds (UsageError naming the file on any problem). */
export async function readCalibrationFile(path: string): Promise<Calibration> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw fileError(err, path, 'read', 'pass --cal the path of a calibration JSON file, e.g. {"vbatt": {"gain": 33096, "offset": -12}} (docs/calibration.md)');
  });
  return parseCalibrationJson(text, path);
}

function fileError(err: unknown, path: string, verb: 'read' | 'write', hint?: string): LtobmsError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? (verb === 'read' ? 'no such file' : 'the folder does not exist') : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a folder' : (e.message ?? String(err));
  return new UsageError(`cannot ${verb} ${path}: ${why}`, { code: 'EEPROM_FILE', hint, details: { path, errno: e.code } });
}
