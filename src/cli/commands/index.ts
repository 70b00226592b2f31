/**
 * The command table: every ltobms command in the order `ltobms --help` lists them, with the line
 * that help shows. That is all `ltobms --help` and `--version` load. A command's declaration
 * (./<name>.ts: description, options, help text) is loaded when that command is invoked, and its
 * action (src/commands/<name>.ts: options → typed input → workflow or library → render) only
 * when it runs, so start-up pays for one command, not sixteen.
 */
import { Help, type Command } from 'commander';

/** What a declaration module exports: it fills in the command the table registered. */
export interface Declaration {
  declare(cmd: Command): void;
}

export interface CommandEntry {
  name: string;
  /** The line `ltobms --help` shows (and the command's description unless it declares a longer one). */
  summary: string;
  /** Its arguments as `ltobms --help` shows them after `[options]` (test/cli/commands.test.ts checks them against the declaration). */
  args?: string;
  /** The command reads every other command's options (completion): all declarations load before it runs. */
  needsAllDeclared?: true;
  load(): Promise<Declaration>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'build', summary: 'Build the BMS firmware with avr-gcc: both chemistries in parallel by default, rebuilding only what changed, and print flash / RAM / EEPROM use against the ATtiny824 and the 4 KB / 256 B budget.', load: () => import('./build.js') },
  { name: 'clean', summary: 'Remove the build folder (only one that ltobms build created).', load: () => import('./clean.js') },
  { name: 'ports', summary: 'list USB-serial adapters (for --port) with vendor and product', load: () => import('./ports.js') },
  { name: 'info', summary: 'show the connected part: SIB, signature, revision, fuses, lock state, EEPROM config', load: () => import('./info.js') },
  { name: 'flash', summary: 'write firmware to flash over UPDI (Intel HEX, ELF or .bin), reading every page back', args: '<file>', load: () => import('./flash.js') },
  { name: 'fuses', summary: 'write the fuses (default: the firmware\'s fuse file) over UPDI and read them back', args: '[file]', load: () => import('./fuses.js') },
  { name: 'verify', summary: 'compare a firmware image with the part\'s flash (and EEPROM) over UPDI, writing nothing', args: '<file>', load: () => import('./verify.js') },
  { name: 'read', summary: 'read flash, EEPROM, fuses, user row … over UPDI into a .hex / .bin file', args: '<memory>', load: () => import('./read.js') },
  { name: 'write', summary: 'write bytes to the user row or EEPROM over UPDI (a file or --hex), reading them back', args: '<memory> [file]', load: () => import('./write.js') },
  { name: 'lock', summary: 'lock the part (LOCKBIT 0x3a) over UPDI; only a chip erase unlocks it', load: () => import('./lock.js') },
  { name: 'erase', summary: 'chip erase over UPDI (also unlocks a locked part), then blank-check', load: () => import('./erase.js') },
  { name: 'eeprom', summary: 'make and decode the EEPROM configuration image (serial number, limits)', load: () => import('./eeprom.js') },
  { name: 'calibrate', summary: 'calibrate a board from your multimeter: gains and offsets into the EEPROM calibration block, confirmed by its next frames', load: () => import('./calibrate.js') },
  { name: 'log', summary: 'tail the boards\' UART log frames into InfluxDB (or daily line-protocol files), nothing lost', args: '[ports...]', load: () => import('./log.js') },
  { name: 'stack', summary: 'start, stop or show the InfluxDB 2.7 + Grafana stack (docker/, via docker compose or docker-compose)', args: '<action>', load: () => import('./stack.js') },
  { name: 'report', summary: 'charts of recorded frames as one HTML file: voltages, current, temperature, charge, lockouts', args: '<input...>', load: () => import('./report.js') },
  { name: 'sim', summary: 'a virtual board: ATtiny824 running the firmware, cell model, UPDI and UART pseudo-terminals', load: () => import('./sim.js') },
  { name: 'demo', summary: 'the whole product on a virtual board: build, program, run, log — in seconds', load: () => import('./demo.js') },
  { name: 'manufacture', summary: 'program boards one after another: fuses, flash, EEPROM with the next serial number, ledger', load: () => import('./manufacture.js') },
  { name: 'run', summary: 'build, flash what changed, configure, then tail the log: source to live data in one command', load: () => import('./run.js') },
  { name: 'config', summary: 'show the effective settings (port, UART, baud, chemistry) and where each comes from: flag > environment > config file > default', load: () => import('./config.js') },
  { name: 'completion', summary: 'print a shell completion script (bash, zsh or fish) for every command and option', args: '<shell>', needsAllDeclared: true, load: () => import('./completion.js') },
];

const declared = new WeakSet<Command>();

/** Registers every command by name and summary: enough for `ltobms --help` and for dispatch. */
export function registerCommands(program: Command): void {
  for (const entry of COMMANDS) program.command(entry.name).summary(entry.summary);
}

/** How `ltobms --help` names a command: the table's arguments, so no declaration has to load for it. */
export function subcommandTerm(cmd: Command): string {
  const entry = COMMANDS.find((e) => e.name === cmd.name());
  if (!entry) return Help.prototype.subcommandTerm.call(new Help(), cmd);
  return `${entry.name} [options]${entry.args ? ` ${entry.args}` : ''}`;
}

/** Loads one command's declaration into its registered command (once). */
export async function declareCommand(program: Command, name: string): Promise<void> {
  const entry = COMMANDS.find((e) => e.name === name);
  const cmd = program.commands.find((c) => c.name() === name);
  if (!entry || !cmd || declared.has(cmd)) return;
  declared.add(cmd);
  (await entry.load()).declare(cmd);
  if (!cmd.description()) cmd.description(entry.summary);
}

/**
 * Declares the command that `args` (the arguments after `ltobms`) invoke, including through
 * `ltobms help <command>`, so commander parses and helps it with all its options. Global options
 * take no values, so the first word that is not an option is the command.
 */
export async function declareInvoked(program: Command, args: readonly string[]): Promise<void> {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  if (name === undefined) return;
  if (words[0] !== 'help' && COMMANDS.find((e) => e.name === name)?.needsAllDeclared) await declareAll(program);
  else await declareCommand(program, name);
}

/** Declares every command (for tests, and whatever needs all options at once). */
export async function declareAll(program: Command): Promise<void> {
  for (const entry of COMMANDS) await declareCommand(program, entry.name);
}
