/**
 * The settings and where each came from, below the command line: the environment (the process's,
 * then ./.env) > the config file > the command's default. A flag beats all of them; the command
 * line applies these only to options not given (src/cli/settings.ts). `ltobms config` prints them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { SETTINGS, checkSetting, type SettingKey, type Settings } from './settings.js';
import { findConfigFile, readConfigFile } from './file.js';

export type SettingSource =
  | { kind: 'environment'; variable: string }
  | { kind: '.env'; file: string; variable: string }
  | { kind: 'config'; file: string; key: SettingKey }
  | { kind: 'default' };

export interface ResolvedSetting<K extends SettingKey = SettingKey> {
  key: K;
  value: Settings[K] | undefined;
  source: SettingSource;
}

export interface ResolvedSettings {
  settings: { [K in SettingKey]: ResolvedSetting<K> };
  /** The config file that applies, if any. */
  configFile: string | undefined;
  /** The ./.env file read, if any. */
  envFile: string | undefined;
}

export interface SettingsInput {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export async function resolveSettings(input: SettingsInput): Promise<ResolvedSettings> {
  const envFile = resolvePath(input.cwd, '.env');
  const hasEnvFile = existsSync(envFile);
  // dotenv loads only when there is a .env to read: most commands start without it.
  const dotenv = hasEnvFile ? (await import('dotenv')).parse(readFileSync(envFile)) : {};
  const configFile = findConfigFile(input.cwd);
  const fromFile = configFile ? readConfigFile(configFile) : {};

  const resolved = {} as Record<SettingKey, ResolvedSetting>;
  for (const spec of SETTINGS) {
    const processValue = input.env[spec.env];
    const dotenvValue = dotenv[spec.env];
    let setting: ResolvedSetting;
    if (present(processValue)) setting = { key: spec.key, value: checkSetting(spec.key, processValue, spec.env), source: { kind: 'environment', variable: spec.env } };
    else if (present(dotenvValue)) setting = { key: spec.key, value: checkSetting(spec.key, dotenvValue, `${envFile}: ${spec.env}`), source: { kind: '.env', file: envFile, variable: spec.env } };
    else if (configFile && fromFile[spec.key] !== undefined) setting = { key: spec.key, value: fromFile[spec.key], source: { kind: 'config', file: configFile, key: spec.key } };
    else setting = { key: spec.key, value: undefined, source: { kind: 'default' } };
    resolved[spec.key] = setting;
  }
  return { settings: resolved as ResolvedSettings['settings'], configFile, envFile: hasEnvFile ? envFile : undefined };
}

/** An empty variable (`LTOBMS_PORT=`) sets nothing, as in the log settings. */
function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
