/**
 * `ltobms write`: its options and help. The action is src/commands/write.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { addPortOptions } from '../port-options.js';
import { WRITABLE_MEMORIES } from '../../updi/memory-names.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Write bytes to the user row (32 B, kept by a chip erase: calibration, a board ID) or the EEPROM ' +
        'over UPDI; only the given bytes are written, then read back and compared. It is the counterpart ' +
        'of `ltobms read <memory>`, with the same memory names and files: .bin is raw from the start of ' +
        'the memory (or --offset), .hex holds the data at the memory\'s usual hex address (user row ' +
        '0x850000, EEPROM 0x810000; a hex file with addresses from 0 is taken relative to the memory, as ' +
        'avrdude does), so `read userrow -o row.bin` and `write userrow row.bin` round-trip. Flash and ' +
        'fuses keep their own commands (`flash`, `fuses`), which plan pages and check fuse values. On a ' +
        'locked part the user row can still be written, through the USERROW key, but not read back: ' +
        'pass --no-verify for that (the whole row is written; bytes not given become 0xff).',
    )
    .argument('<memory>', WRITABLE_MEMORIES.join(' or '))
    .argument('[file]', 'the bytes: .bin (raw), .hex or .elf; or give --hex');
  addPortOptions(cmd)
    .option('--hex <bytes>', 'the bytes on the command line instead of a file: "de ad be ef", "de,ad", "deadbeef"')
    .option('--offset <n>', 'where --hex or a .bin starts in the memory (decimal or 0x hex)', '0')
    .option('--no-verify', 'do not read back (needed for the user row of a locked part)')
    .option('--json', 'print { device, memory, source, offset, written, verified, locked, method, seconds } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms write userrow --hex "01 02 03 04" -P /dev/ttyUSB0
  $ ltobms write userrow row.bin -P /dev/ttyUSB0             what \`ltobms read userrow -o row.bin\` saved
  $ ltobms write eeprom backup.hex -P /dev/ttyUSB0
  $ ltobms write userrow --hex 42 --offset 31 --no-verify -P /dev/ttyUSB0   a locked part: by key, unverified`,
    )
    .action(lazyAction(async () => (await import('../../commands/write.js')).execute));
}
