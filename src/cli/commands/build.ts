/**
 * `ltobms build`: its options and help. The action is src/commands/build.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { chemistryOption } from '../settings.js';

export function declare(cmd: Command): void {
  cmd
    .addOption(chemistryOption('--chemistry <LTO|NAION|all>', 'which cell chemistry to build', 'all'))
    .option('--debug', 'debug variant: start-up line, EEPROM dump and load result on the UART')
    .option('--fw-version <v>', 'version baked in and used in file names (default: git describe --tags, else dev)')
    .option('--out <dir>', 'output folder', 'build')
    .option('--lst', 'also write the disassembly (main-<CHEM>-<VER>.lst)')
    .option('--json', 'print the artefacts and sizes as JSON')
    .addHelpText(
      'after',
      `
Outputs in the output folder: main-<CHEM>-<VER>.{elf,hex,bin} (flash only) and
eeprom-<CHEM>-<VER>.{bin,hex} (the default configuration, serial 0, at 0x810000 in the .hex).
Fails (exit 1) on a compile error or if an image exceeds the part (8 KB flash, 1 KB RAM,
128 B EEPROM). Needs the Debian packages gcc-avr avr-libc binutils-avr.

Examples:
  $ ltobms build                               both chemistries into build/
  $ ltobms build --chemistry NAION --fw-version v1.2.0
  $ ltobms build --debug --lst                 debug variant plus disassembly
  $ ltobms build --json | jq '.builds[].memory.flash'
  $ ltobms clean                               remove the build folder`,
    )
    .action(lazyAction(async () => (await import('../../commands/build.js')).execute));
}
