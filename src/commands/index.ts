/**
 * Every ltobms command, in the order `ltobms --help` lists them.
 * Each module exports `register(program)` and stays thin: options → typed input → library → render.
 */
import type { Command } from 'commander';
import { register as build } from './build.js';
import { register as clean } from './clean.js';
import { register as eeprom } from './eeprom.js';
import { register as log } from './log.js';
import { register as stack } from './stack.js';
import { register as sim } from './sim.js';

type Register = (program: Command) => void;

const commands: Register[] = [
  build,
  clean,
  eeprom,
  log,
  stack,
  sim,
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
