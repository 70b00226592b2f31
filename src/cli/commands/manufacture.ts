/**
 * `ltobms manufacture`: its options and help. The action is src/commands/manufacture.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import { Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { chemistryOption } from '../settings.js';
import { CHEMISTRY } from '../../part/chemistry.js';
import { CONFIG_FIELDS } from '../../eeprom/image.js';
import { addPortOptions } from '../port-options.js';

export const DEFAULT_LEDGER = 'ltobms-ledger.jsonl';

export function declare(cmd: Command): void {
  cmd
    .description(
      'The production line: waits for a board on each UPDI port (polling it), programs the fuses, the ' +
        'firmware and the EEPROM configuration with the next serial number, reads everything back, ' +
        'records the attempt in the ledger, and waits for the board to be taken off and the next to ' +
        'arrive. The ledger is the source of truth: a number is reserved for a chip before it is ' +
        'written, the next number is one past the highest given, and a chip already in it keeps its number. ' +
        'Several -P drive several fixtures at once (gang programming), one station each, one ledger.',
    )
    .option('--firmware <file>', 'firmware image (.hex, .elf or .bin), e.g. build/main-LTO-v1.0.hex')
    .option('--start-sn <n>', 'first serial number of a new ledger (or a jump ahead); later runs continue from the ledger')
    .addOption(new Option('--ledger <file|url>', 'the ledger: a JSON-lines file (created if missing) or postgres://user@host/db (schema created on first use)').env('LTOBMS_LEDGER').default(DEFAULT_LEDGER))
    .option('--fuses <file>', 'fuse file (Intel HEX at 0x820000); default: fuses.hex beside the firmware, else the package\'s firmware/fuses.hex')
    .addOption(chemistryOption('--chemistry <LTO|NAION>', 'EEPROM default limits; must match the firmware (default: the firmware\'s own)'));
  for (const f of CONFIG_FIELDS) {
    if (f.key === 'serialNumber') continue;
    const lto = CHEMISTRY.LTO.defaults[f.key as keyof typeof CHEMISTRY.LTO.defaults];
    cmd.option(`${f.option} <n>`, `EEPROM: ${f.help}${f.unit ? `, ${f.unit}` : ''} (default: ${f.key === 'tempOffset' ? 0 : `the chemistry's, LTO ${lto}`})`);
  }
  addPortOptions(cmd, { repeatablePort: true })
    .option('--renumber', 'give chips already in the ledger a new number instead of their own')
    .option('--allow-debug', 'program a debug build (refused otherwise: it dumps its configuration on the UART at every start)')
    .option('-y, --yes', 'unattended (fixtures): after a failure go on to the next board without asking')
    .option('--count <n>', 'stop after this many boards (in total, over all fixtures)')
    .option('--report <ledger>', 'do not program: summarise a ledger, file or postgres:// URL (boards per hour, failures by step, serials, void numbers, duplicates)')
    .option('--json', 'print ledger entries (one JSON object per line) and the summary as JSON; with --report the report')
    .addHelpText(
      'after',
      `
A board is detected by its UPDI answer (SIB) and recognised by its unique ID (the 10-byte
serial number in the signature row). Steps: detect, fuses, flash (after a chip erase),
eeprom (the number is reserved in the ledger first), verify (a final read-back of
everything). The firmware is checked before any board is touched, as \`ltobms flash\` does:
part, size, signature, and no debug build without --allow-debug. A failed attempt is
recorded with its step; interactive mode then asks: Enter = next board, r = retry, q = quit.
A number reserved for a chip stays with it: re-inserted after a crash it gets the same one;
never seen again, --report lists the number as void. Ctrl-C while waiting ends the run.
A file ledger belongs to one process (a .lock file beside it); stations in several processes
or on several hosts share a PostgreSQL ledger.
Exit: 0 every board passed, 1 a board failed, 2 bad usage, 130 interrupted mid-board.

Examples:
  $ ltobms manufacture --firmware build/main-LTO-v1.0.hex --start-sn 1 -P /dev/ttyUSB0
  $ ltobms manufacture --firmware main.hex -P /dev/ttyUSB0 --temp-offset -3 --ledger line2.jsonl
  $ ltobms manufacture --firmware main.hex -P /dev/ttyUSB0 -P /dev/ttyUSB2 -P /dev/ttyUSB4 --yes
  $ LTOBMS_LEDGER=postgres://line@dbhost/ltobms ltobms manufacture --firmware main.hex -P /dev/ttyUSB0 --yes
  $ ltobms manufacture --report ltobms-ledger.jsonl
  $ ltobms manufacture --report postgres://line@dbhost/ltobms --json | jq .boards_per_hour`,
    )
    .action(lazyAction(async () => (await import('../../commands/manufacture.js')).execute));
}
