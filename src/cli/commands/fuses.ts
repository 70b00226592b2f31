/**
 * `ltobms fuses`: its options and help. The action is src/commands/fuses.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { FUSES_FILE } from '../../firmware/paths.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Write fuse bytes from an Intel HEX file (fuses at 0x820000, as avr-objcopy and pymcuprog write ' +
        'them) or an ELF (.fuse section). Fuses that already hold the value are not rewritten; all are ' +
        'read back. Reserved fuse bytes (3, 4, 9) are skipped. Without a file, the firmware fuse file ' +
        'shipped with ltobms is used. A SYSCFG0 value whose RSTPINCFG is not UPDI is refused without ' +
        '--force: it would make the part unreachable for this programmer.',
    )
    .argument('[file]', 'fuse file (.hex or .elf)', FUSES_FILE);
  addPortOptions(cmd)
    .option('--no-verify', 'do not read the fuses back')
    .option('--force', 'allow fuse values that turn the UPDI pin into GPIO or RESET')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms fuses --port /dev/ttyUSB0                    the board's fuses (firmware/fuses.hex)
  $ ltobms fuses build/main-LTO-dev.elf -P /dev/ttyUSB0  the .fuse section of a firmware ELF
  $ ltobms fuses my-fuses.hex -P /dev/ttyUSB0 --json`,
    )
    .action(lazyAction(async () => (await import('../../commands/fuses.js')).execute));
}
