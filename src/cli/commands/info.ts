/**
 * `ltobms info`: its options and help. The action is src/commands/info.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Connect over UPDI and report the System Information Block, the part (from its signature), ' +
        'silicon revision, serial number, the fuses decoded into named fields, the lock state, and ' +
        'the board configuration at the start of the EEPROM if it holds one. A locked part shows only ' +
        'the SIB and the lock state (`ltobms erase` unlocks it).',
    );
  addPortOptions(cmd)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms info --port /dev/ttyUSB0
  $ ltobms info -P /dev/ttyUSB0 --json | jq .fuses.SYSCFG0`,
    )
    .action(lazyAction(async () => (await import('../../commands/info.js')).execute));
}
