/**
 * `ltobms flash`: its options and help. The action is src/commands/flash.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Write a firmware image to the flash of a tinyAVR 2-series part through a USB-serial adapter ' +
        '(TX and RX joined through a 1 kΩ resistor to UPDI). Every written page is read back and ' +
        'compared unless --no-verify. Pages are erased and written one by one (erase-write), or the ' +
        'chip is erased first with --erase. The EEPROM content of an image is written only with --eeprom.',
    )
    .argument('<file>', 'firmware image: .hex (Intel HEX), .elf, or .bin (raw flash from address 0)');
  addPortOptions(cmd)
    .option('--erase', 'chip erase first (flash, and EEPROM unless the EESAVE fuse is set)')
    .option('--eeprom', "also write the image's EEPROM data (.eeprom section, or hex data at 0x810000)")
    .option('--no-verify', 'do not read back what was written')
    .option('--force', 'write even if the image names another part (signature, architecture)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Prints one summary line: bytes written and verified, seconds, KB/s; a progress bar on a
terminal. A page that fails to transfer is retried after a UPDI resynchronisation; a
read-back mismatch that persists is an error naming the first differing address.

Examples:
  $ ltobms flash build/main-LTO-dev.hex --port /dev/ttyUSB0
  $ ltobms flash build/main-LTO-dev.elf --port /dev/ttyUSB0 --erase --eeprom
  $ ltobms flash main.hex -P /dev/ttyUSB0 --baud 230400 --vdd 3.3
  $ LTOBMS_PORT=/dev/ttyUSB0 ltobms flash main.hex --json`,
    )
    .action(lazyAction(async () => (await import('../../commands/flash.js')).execute));
}
