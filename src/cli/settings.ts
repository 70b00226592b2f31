/**
 * Options backed by a project setting (src/config/): an option bound here takes, when the command
 * line does not give it, the environment's value (LTOBMS_*, also from ./.env), else the config
 * file's, else its own default. Applied once per run, before the action (program.ts's preAction
 * hook), so actions see one value and commander knows its source ('cli', 'env', 'config', 'default').
 */
import { Option, type Command } from 'commander';
import { SETTINGS, type SettingKey, type Settings } from '../config/settings.js';

const bound = new WeakMap<Option, SettingKey>();

/** Marks `option` as set by `key` when not given; its help names the variable and the config key. */
export function bindSetting(option: Option, key: SettingKey): Option {
  bound.set(option, key);
  const env = SETTINGS.find((s) => s.key === key)!.env;
  option.description = `${option.description} [${env}, config "${key}"]`;
  return option;
}

/** The bound options of `cmd` that the command line left out get their setting, if one is set. */
export async function applySettings(cmd: Command): Promise<void> {
  const options = cmd.options.filter((o) => bound.has(o));
  if (!options.length) return;
  const { resolveSettings } = await import('../config/resolve.js');
  const { settings } = await resolveSettings({ cwd: process.cwd(), env: process.env });
  for (const option of options) {
    const name = option.attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') continue;
    const setting = settings[bound.get(option)!];
    if (setting.source.kind === 'default' || setting.value === undefined) continue;
    const text = String(setting.value);
    // A repeatable option (manufacture's -P) keeps its shape: a list of one.
    const value: unknown = option.parseArg ? option.parseArg(text, undefined) : text;
    cmd.setOptionValueWithSource(name, value, setting.source.kind === 'config' ? 'config' : 'env');
  }
}

/** One setting's effective value outside an option (ltobms log's ports argument takes `uart`). */
export async function settingValue<K extends SettingKey>(key: K): Promise<Settings[K]> {
  const { resolveSettings } = await import('../config/resolve.js');
  return (await resolveSettings({ cwd: process.cwd(), env: process.env })).settings[key].value as Settings[K];
}

/** A command's --chemistry, bound to the chemistry setting. */
export function chemistryOption(flags: string, description: string, defaultValue?: string): Option {
  const option = new Option(flags, description);
  if (defaultValue !== undefined) option.default(defaultValue);
  return bindSetting(option, 'chemistry');
}
