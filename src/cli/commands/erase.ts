/**
 * `ltobms erase`: its options and help. The action is src/commands/erase.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Erase the whole flash, the EEPROM (unless the EESAVE fuse is set) and the lock bits. A locked ' +
        'part is unlocked with the CHIPERASE key, which erases it the same way. Afterwards the flash ' +
        '(and the EEPROM, if it was erased) is read back and must be all 0xFF, unless --no-verify.',
    );
  addPortOptions(cmd)
    .option('--no-verify', 'skip the blank check')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms erase --port /dev/ttyUSB0
  $ ltobms erase -P /dev/ttyUSB0 --json`,
    )
    .action(lazyAction(async () => (await import('../../commands/erase.js')).execute));
}
