/**
 * `ltobms fuses`: its options and help. The action is src/commands/fuses.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { FUSES_FILE } from '../../firmware/paths.js';
import { addPortOptions } from '../port-options.js';
import { FUSE } from '../../part/fuses.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Write fuse bytes from an Intel HEX file (fuses at 0x820000, as avr-objcopy and pymcuprog write ' +
        'them) or an ELF (.fuse section). Fuses that already hold the value are not rewritten; all are ' +
        'read back. Reserved fuse bytes (3, 4, 9) are skipped. Without a file, the firmware fuse file ' +
        'shipped with ltobms is used. With --set, single fuses are written by their data-sheet names ' +
        '(any case; values decimal, 0x hex or 0b binary), each checked against its reserved bits and ' +
        'field values first. A SYSCFG0 value whose RSTPINCFG is not UPDI is refused without --force, ' +
        'from a file or --set: it would make the part unreachable for this programmer. Every value is ' +
        'shown with its meaning.',
    )
    .argument('[file]', 'fuse file (.hex or .elf)', FUSES_FILE);
  addPortOptions(cmd)
    .option('--set <NAME=VALUE,...>', `fuses by name instead of a file: ${Object.keys(FUSE).join(', ')}; repeatable`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--dry-run', 'read the fuses and show what would be written, write nothing')
    .option('--no-verify', 'do not read the fuses back')
    .option('--force', 'allow fuse values that turn the UPDI pin into GPIO or RESET')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms fuses --port /dev/ttyUSB0                    the board's fuses (firmware/fuses.hex)
  $ ltobms fuses build/main-LTO-dev.elf -P /dev/ttyUSB0  the .fuse section of a firmware ELF
  $ ltobms fuses my-fuses.hex -P /dev/ttyUSB0 --json
  $ ltobms fuses --set WDTCFG=0x7a,BODCFG=0 --port /dev/ttyUSB0
  $ ltobms fuses --set syscfg0=0xf7 --dry-run --port /dev/ttyUSB0   show the change, write nothing`,
    )
    .action(lazyAction(async () => (await import('../../commands/fuses.js')).execute));
}
