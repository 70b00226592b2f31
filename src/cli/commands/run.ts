/**
 * `ltobms run`: its options and help. The action is src/commands/run.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import { Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { bindSetting, chemistryOption } from '../settings.js';
import { CHEMISTRY } from '../../part/chemistry.js';
import { CONFIG_FIELDS } from '../../eeprom/image.js';
import { addPortOptions } from '../port-options.js';

/** Where `run --sim` keeps the virtual board's memories between runs. */
export const DEFAULT_SIM_STATE = 'ltobms-data/sim-board.json';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Build the firmware (incremental), program the board only where the image changed (the flash is ' +
        'read back and compared page by page; only differing pages are written, each read back), write ' +
        'the EEPROM configuration if EEPROM options are given (and only if it differs), then leave the ' +
        'board running and tail its log frames from the UART port into the same destination as ' +
        '`ltobms log`. --sim does all of it on a virtual board.',
    )
    .addOption(chemistryOption('--chemistry <LTO|NAION>', 'which firmware to build (and whose EEPROM default limits)', 'LTO'))
    .option('--fw-version <v>', 'firmware version (default: git describe --tags, else dev)')
    .option('--debug', 'the debug build (start-up line, EEPROM dump on the UART)')
    .option('--out <dir>', 'build folder', 'build');
  addPortOptions(cmd)
    .addOption(bindSetting(new Option('--uart-port <path>', "the board's UART (default: the other port of the UPDI adapter, if it has exactly one)"), 'uart'))
    .option('--uart-baud <n>', 'UART baud rate', '9600')
    .option('--sim', 'use a virtual board instead of --port')
    .option('--sim-state <file>', 'the virtual board\'s memories, kept between runs', DEFAULT_SIM_STATE)
    .option('--scenario <file>', 'with --sim: the virtual board\'s cell, load and charger (see docs/scenarios.md; default: half-full cell, 20 mA load)')
    .option('--speed <1|N|max>', 'with --sim: simulated time per wall time (default 1: frames once a minute)')
    .option('--board-errors <random[:seed]>', 'with --sim: a board with plausible component tolerances drawn from the seed (printed on stderr; see ltobms sim --help)');
  for (const f of CONFIG_FIELDS) {
    const lto = CHEMISTRY.LTO.defaults[f.key as keyof typeof CHEMISTRY.LTO.defaults];
    const dflt = f.key === 'serialNumber' ? " (default: the board's own, if its EEPROM holds a valid configuration)" : f.key === 'tempOffset' ? ' (default: 0)' : ` (default: the chemistry's, LTO ${lto})`;
    cmd.option(`${f.option} <n>`, `EEPROM: ${f.help}${f.unit ? `, ${f.unit}` : ''}${dflt}`);
  }
  cmd
    .option('--no-log', 'stop after programming: do not tail the UART')
    .option('--reconnect', 'when the UART port goes away while tailing, wait for it instead of ending with exit 1')
    .option('--no-verify', 'do not read back what is written')
    .option('--force', 'write even if the image names another part')
    .option('--json', 'JSON lines on stdout: the programming result, then one object per frame, then the log summary')
    .addHelpText(
      'after',
      `
Any EEPROM option (--sn, --temp-offset, limits) writes the 20-byte configuration; fields not
given take the chemistry's defaults, except --sn, which keeps the number the board holds.
The log goes where \`ltobms log\` sends it (INFLUXDB_* in the environment or ./.env; else daily
files in ./ltobms-data/log). Ctrl-C stops the tail, flushes the log and exits 0; the board keeps
running (a virtual board stops with ltobms; its memories stay in --sim-state). Ctrl-C before the
tail exits 130.

Examples:
  $ ltobms run -P /dev/ttyUSB0                           build, flash if changed, tail /dev/ttyUSB1
  $ ltobms run -P /dev/ttyUSB0 --uart-port /dev/ttyACM0 --sn 7 --temp-offset -2
  $ ltobms run --chemistry NAION -P /dev/ttyUSB0 --no-log
  $ ltobms run --sim --sn 1                              the same on a virtual board
  $ ltobms run --sim --speed 60                          … a frame every second
  $ ltobms run -P /dev/ttyUSB0 --json | jq -c 'select(.type == "frame") | .v_batt'`,
    )
    .action(lazyAction(async () => (await import('../../commands/run.js')).execute));
}
