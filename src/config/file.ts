/**
 * The project config file: `ltobms.config.json` (or `.ltobmsrc`, also JSON) in the current folder
 * or the nearest folder above it, as git finds .git. Keys: port, uart, baud, chemistry (see
 * ./settings.ts). A file that is not JSON, not an object, or holds an unknown key or a bad value is
 * one usage error naming the file and the key.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { SETTING_KEYS, checkSetting, type SettingKey, type Settings } from './settings.js';

/** The names looked for in each folder, first match wins. */
export const CONFIG_FILE_NAMES = ['ltobms.config.json', '.ltobmsrc'] as const;

/** The config file that applies in `cwd`: the first name found, walking up to the root. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export function readConfigFile(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { code: 'CONFIG', hint: 'fix its permissions, or remove it' });
  }
  return parseConfig(path, text);
}

/** The settings a config file's text holds (`path` only names it in messages). */
export function parseConfig(path: string, text: string): Settings {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`, {
      code: 'CONFIG',
      hint: `the file is JSON, e.g. { "port": "/dev/ttyUSB0", "baud": 115200, "chemistry": "LTO" }`,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${path}: expected a JSON object of settings`, { code: 'CONFIG', hint: `keys: ${SETTING_KEYS.join(', ')}` });
  }
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`${path}: unknown key "${key}"`, { code: 'CONFIG', hint: `the keys are ${SETTING_KEYS.join(', ')}` });
    }
    settings[key] = checkSetting(key as SettingKey, value, `${path}: "${key}"`);
  }
  return settings as Settings;
}
