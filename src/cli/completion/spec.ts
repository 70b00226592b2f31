/**
 * What shell completion knows, taken from the command table once every declaration is loaded:
 * each command with its options (flags, whether they take a value, the values to offer) and the
 * words its first argument takes. The shell scripts (./bash.ts, ./zsh.ts, ./fish.ts) are rendered
 * from this, so a new option is completed without anyone editing a script.
 */
import type { Command, Option } from 'commander';
import { DEVICES } from '../../part/tinyavr2.js';
import { MEMORY_NAMES, WRITABLE_MEMORIES } from '../../updi/memory-names.js';
import { PROGRAMMER_IDS } from '../port-options.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  /** Words to offer for its value; none: file names. */
  values: string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** Subcommands (eeprom decode). */
  subcommands: string[];
  /** Words its first argument takes; none: file names. */
  argumentWords: string[];
}

export interface CompletionSpec {
  program: string;
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
}

/** Placeholders such as <LTO|NAION|all> or <hex|bin> list the values; <file|url> or <1|N|max> hold names of values. */
const METAVARIABLES = new Set(['file', 'url', 'n', 'path', 'dir', 'id']);

/** The values an option offers: given choices, a few known lists, else the literal alternatives of its placeholder. */
function optionValues(option: Option): string[] {
  if (option.argChoices) return option.argChoices;
  if (option.long === '--part') return DEVICES.map((d) => d.avrdudeId);
  if (option.long === '--programmer') return [...PROGRAMMER_IDS];
  const placeholder = /<([^>]+)>/.exec(option.flags)?.[1];
  if (!placeholder?.includes('|')) return [];
  const words = placeholder.split('|');
  return words.every((w) => /^[A-Za-z][\w-]*$/.test(w) && !METAVARIABLES.has(w.toLowerCase())) ? words : [];
}

function optionSpec(option: Option): OptionSpec {
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    takesValue: option.required || option.optional,
    values: optionValues(option),
  };
}

/** The words a command's first argument takes, where they are a fixed list. */
const ARGUMENT_WORDS: Record<string, readonly string[]> = {
  read: MEMORY_NAMES,
  write: WRITABLE_MEMORIES,
  stack: ['up', 'down', 'status'],
  completion: SHELLS,
};

/** The spec of `program`, whose commands must all be declared (declareAll). */
export function completionSpec(program: Command): CompletionSpec {
  const visible = (o: Option) => !o.hidden;
  const help: OptionSpec = { short: '-h', long: '--help', description: 'display help', takesValue: false, values: [] };
  return {
    program: program.name(),
    globalOptions: [...program.options.filter(visible).map(optionSpec), help],
    commands: program.commands.map((cmd) => ({
      name: cmd.name(),
      summary: cmd.summary() || cmd.description(),
      options: [...cmd.options.filter(visible).map(optionSpec), help],
      subcommands: cmd.commands.map((c) => c.name()),
      argumentWords: [...(ARGUMENT_WORDS[cmd.name()] ?? [])],
    })),
  };
}

/** Every flag an option answers to. */
export function flagsOf(option: OptionSpec): string[] {
  return [option.short, option.long].filter((f): f is string => f !== undefined);
}
