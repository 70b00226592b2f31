/**
 * `ltobms lock`: its options and help. The action is src/commands/lock.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Lock the part: LOCKBIT = 0x3a (read and write lock), read back, then a reset after which the part ' +
        'must report itself locked. A locked part answers UPDI with zeros for flash, EEPROM, fuses and ' +
        'signature and takes no writes, except its user row by key (`ltobms write userrow --no-verify`). ' +
        'Only a chip erase unlocks it (`ltobms erase`), and that erases the flash (and the EEPROM unless ' +
        'EESAVE): so the command wants --yes-lock-the-chip typed out.',
    );
  addPortOptions(cmd)
    .option('--yes-lock-the-chip', 'confirm: only a chip erase (which erases the flash) unlocks it')
    .option('--no-verify', 'do not read LOCKBIT back or check the lock after the reset')
    .option('--json', 'print { device, alreadyLocked, before, value, verified, seconds } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms lock --yes-lock-the-chip -P /dev/ttyUSB0
  $ ltobms erase -P /dev/ttyUSB0                       unlock again (erases the flash)`,
    )
    .action(lazyAction(async () => (await import('../../commands/lock.js')).execute));
}
