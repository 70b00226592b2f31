/**
 * `ltobms verify`: its options and help. The action is src/commands/verify.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Compare a firmware image with what the part holds, writing nothing. The image and the memories ' +
        'taken from it are those of `ltobms flash`: .hex (Intel HEX), .elf or .bin (raw flash from 0); ' +
        'its flash data, and its EEPROM data only with --eeprom. Every byte the image covers is read ' +
        'back and compared (the rest of a page it touches is not). Exit 0 when all match; exit 1 naming ' +
        'the first differing address (expected and actual byte) and how many bytes differ.',
    )
    .argument('<file>', 'firmware image: .hex (Intel HEX), .elf, or .bin (raw flash from address 0)');
  addPortOptions(cmd)
    .option('--eeprom', "also compare the image's EEPROM data (.eeprom section, or hex data at 0x810000)")
    .option('--force', 'compare even if the image names another part (signature, architecture)')
    .option('--json', 'print { device, file, match, bytes, differing, first, memories } as JSON (also on a mismatch)')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms verify build/main-LTO-dev.hex -P /dev/ttyUSB0
  $ ltobms verify build/main-LTO-dev.elf --eeprom -P /dev/ttyUSB0 --json`,
    )
    .action(lazyAction(async () => (await import('../../commands/verify.js')).execute));
}
