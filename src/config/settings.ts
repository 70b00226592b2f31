/**
 * The project settings a user would otherwise repeat on every command line: the UPDI port, the
 * UART port, the UPDI baud rate and the cell chemistry. Each has one environment variable and one
 * key in the project config file. Precedence, key by key: a flag, then the environment (the
 * process's, then ./.env), then the config file, then the command's own default.
 *
 * Light on purpose (no package, no I/O): the command declarations import it.
 */
import { parseChemistry, type Chemistry } from '../part/chemistry.js';
import { UsageError } from '../errors.js';

export type SettingKey = 'port' | 'uart' | 'baud' | 'chemistry';

export interface Settings {
  port?: string;
  uart?: string;
  baud?: number;
  chemistry?: Chemistry;
}

/** UPDI's usual speed (avrdude's and pymcuprog's SerialUPDI default). */
export const DEFAULT_BAUD = 115200;
export const MIN_BAUD = 300;
export const MAX_BAUD = 900_000;

export interface SettingSpec {
  key: SettingKey;
  env: string;
  /** What it sets, for `ltobms config` and the README. */
  what: string;
  /** What applies when nothing sets it (each command's own default). */
  fallback: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'port', env: 'LTOBMS_PORT', what: 'UPDI adapter serial port (-P/--port)', fallback: 'none (pass -P)' },
  { key: 'uart', env: 'LTOBMS_UART', what: "the board's UART port (ltobms log's ports, run and calibrate --uart-port)", fallback: "run, calibrate: the UPDI adapter's other port; log: none" },
  { key: 'baud', env: 'LTOBMS_BAUD', what: 'UPDI baud rate (-b/--baud)', fallback: String(DEFAULT_BAUD) },
  { key: 'chemistry', env: 'LTOBMS_CHEMISTRY', what: 'cell chemistry (--chemistry of build, eeprom, run, demo, manufacture)', fallback: 'LTO (build: all; manufacture: the firmware\'s)' },
];

export const SETTING_KEYS: readonly SettingKey[] = SETTINGS.map((s) => s.key);

/**
 * One setting's value checked and typed. `where` names the origin for the message: a config file
 * and its key, or an environment variable. The caller's error carries the fix.
 */
export function checkSetting(key: SettingKey, value: unknown, where: string): Settings[SettingKey] {
  switch (key) {
    case 'port':
    case 'uart':
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      throw settingError(`${where} must be a serial port path (a non-empty string), not ${JSON.stringify(value)}`, 'for example "/dev/ttyUSB0"');
    case 'baud': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      const baud = Number(text);
      if (/^\d+$/.test(text) && baud >= MIN_BAUD && baud <= MAX_BAUD) return baud;
      throw settingError(`${where} must be a whole number from ${MIN_BAUD} to ${MAX_BAUD}, not ${JSON.stringify(value)}`, `for example ${DEFAULT_BAUD}`);
    }
    case 'chemistry':
      if (typeof value === 'string') {
        try {
          return parseChemistry(value);
        } catch {
          // reported below, naming the file or variable instead of --chemistry
        }
      }
      throw settingError(`${where} must be LTO or NAION, not ${JSON.stringify(value)}`, 'LTO (lithium-titanate) or NAION (sodium-ion)');
  }
}

function settingError(message: string, hint: string): UsageError {
  return new UsageError(message, { code: 'CONFIG', hint });
}
