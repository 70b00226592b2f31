/**
 * `ltobms read`: its options and help. The action is src/commands/read.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';
import { MEMORY_NAMES } from '../../updi/memory-names.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Read one memory of the part over UPDI. With -o the bytes go to a file: Intel HEX (.hex) at the ' +
        'memory\'s usual hex address (flash 0, EEPROM 0x810000, fuses 0x820000, lock 0x830000, signature ' +
        'row 0x840000, user row 0x850000) or raw (.bin). Without -o a hex dump is printed.',
    )
    .argument('<memory>', `one of ${MEMORY_NAMES.join(', ')}`);
  addPortOptions(cmd)
    .option('-o, --output <file>', 'write to this file (.hex or .bin)')
    .option('--format <hex|bin>', 'file format when the extension does not say')
    .option('--json', 'print { memory, size, file, data (hex) } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms read flash -o backup.hex --port /dev/ttyUSB0
  $ ltobms read eeprom -o eeprom.bin -P /dev/ttyUSB0
  $ ltobms read fuses -P /dev/ttyUSB0                  hex dump of the 9 fuse bytes
  $ ltobms read userrow --json -P /dev/ttyUSB0`,
    )
    .action(lazyAction(async () => (await import('../../commands/read.js')).execute));
}
