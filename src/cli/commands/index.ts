/**
 * The command table: every ltobms command, in the order `ltobms --help` lists them. Each module
 * here declares a command's name, summary, options and help, and nothing else; its action lives in
 * src/commands/<name>.ts (options → typed input → workflow or library → render) and is imported
 * only when that command runs.
 */
import type { Command } from 'commander';
import { register as build } from './build.js';
import { register as clean } from './clean.js';
import { register as ports } from './ports.js';
import { register as info } from './info.js';
import { register as flash } from './flash.js';
import { register as fuses } from './fuses.js';
import { register as read } from './read.js';
import { register as erase } from './erase.js';
import { register as eeprom } from './eeprom.js';
import { register as log } from './log.js';
import { register as stack } from './stack.js';
import { register as report } from './report.js';
import { register as sim } from './sim.js';
import { register as demo } from './demo.js';
import { register as manufacture } from './manufacture.js';
import { register as run } from './run.js';

type Register = (program: Command) => void;

const commands: Register[] = [
  build,
  clean,
  ports,
  info,
  flash,
  fuses,
  read,
  erase,
  eeprom,
  log,
  stack,
  report,
  sim,
  demo,
  manufacture,
  run,
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
