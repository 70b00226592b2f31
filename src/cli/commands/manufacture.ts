/**
 * `ltobms manufacture`: its options and help. The action is src/commands/manufacture.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { CHEMISTRY } from '../../eeprom/chemistry.js';
import { CONFIG_FIELDS } from '../../eeprom/image.js';
import { addPortOptions } from '../port-options.js';

export const DEFAULT_LEDGER = 'ltobms-ledger.jsonl';

export function register(program: Command): void {
  const cmd = program
    .command('manufacture')
    .summary('program boards one after another: fuses, flash, EEPROM with the next serial number, ledger')
    .description(
      'The production line: waits for a board on the UPDI port (polling it), programs the fuses, the ' +
        'firmware and the EEPROM configuration with the next serial number, reads everything back, ' +
        'records the attempt in the ledger (JSON lines, fsync per entry), and waits for the board to be ' +
        'taken off and the next to arrive. The ledger is the source of truth: the next number is one past ' +
        'the highest that a board received, and a chip already in it keeps its number.',
    )
    .option('--firmware <file>', 'firmware image (.hex, .elf or .bin), e.g. build/main-LTO-v1.0.hex')
    .option('--start-sn <n>', 'first serial number of a new ledger (or a jump ahead); later runs continue from the ledger')
    .option('--ledger <file>', 'the ledger (created if missing)', DEFAULT_LEDGER)
    .option('--fuses <file>', 'fuse file (Intel HEX at 0x820000); default: fuses.hex beside the firmware, else the package\'s firmware/fuses.hex')
    .option('--chemistry <LTO|NAION>', 'EEPROM default limits; must match the firmware (default: the firmware\'s own)');
  for (const f of CONFIG_FIELDS) {
    if (f.key === 'serialNumber') continue;
    const lto = CHEMISTRY.LTO.defaults[f.key as keyof typeof CHEMISTRY.LTO.defaults];
    cmd.option(`${f.option} <n>`, `EEPROM: ${f.help}${f.unit ? `, ${f.unit}` : ''} (default: ${f.key === 'tempOffset' ? 0 : `the chemistry's, LTO ${lto}`})`);
  }
  addPortOptions(cmd)
    .option('--renumber', 'give chips already in the ledger a new number instead of their own')
    .option('-y, --yes', 'unattended (fixtures): after a failure go on to the next board without asking')
    .option('--count <n>', 'stop after this many boards')
    .option('--report <ledger>', 'do not program: summarise a ledger (boards per hour, failures by step, serial range, duplicates)')
    .option('--json', 'print ledger entries (one JSON object per line) and the summary as JSON; with --report the report')
    .addHelpText(
      'after',
      `
A board is detected by its UPDI answer (SIB) and recognised by its unique ID (the 10-byte
serial number in the signature row). Steps: detect, fuses, flash (after a chip erase),
eeprom, verify (a final read-back of everything). A failed attempt is recorded with its step
and never uses up a number; interactive mode then asks: Enter = next board, r = retry,
q = quit. Ctrl-C while waiting ends the run; Ctrl-C during a board leaves it unrecorded, so
its number is given again. One station per ledger (a .lock file beside it).
Exit: 0 every board passed, 1 a board failed, 2 bad usage, 130 interrupted mid-board.

Examples:
  $ ltobms manufacture --firmware build/main-LTO-v1.0.hex --start-sn 1 -p /dev/ttyUSB0
  $ ltobms manufacture --firmware main.hex -p /dev/ttyUSB0 --temp-offset -3 --ledger line2.jsonl
  $ ltobms manufacture --firmware main.hex -p /dev/ttyUSB0 --yes --count 50
  $ ltobms manufacture --report ltobms-ledger.jsonl
  $ ltobms manufacture --report ltobms-ledger.jsonl --json | jq .boardsPerHour`,
    )
    .action(lazyAction(async () => (await import('../../commands/manufacture.js')).execute));
}
