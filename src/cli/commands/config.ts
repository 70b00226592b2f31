/**
 * `ltobms config`: its options and help. The action is src/commands/config.ts, imported when the
 * command runs.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Show the settings commands take when their flag is left out — UPDI port, UART port, UPDI baud rate, ' +
        'chemistry — with the value and where it comes from: the environment (LTOBMS_PORT, LTOBMS_UART, ' +
        'LTOBMS_BAUD, LTOBMS_CHEMISTRY), ./.env, the config file (ltobms.config.json or .ltobmsrc, JSON, ' +
        'in this folder or the nearest one above), or the command\'s default. A flag always wins.',
    )
    .option('--json', 'print the same report as JSON')
    .addHelpText(
      'after',
      `
Config file keys: port, uart, baud, chemistry, e.g.
  { "port": "/dev/ttyUSB0", "uart": "/dev/ttyUSB1", "baud": 230400, "chemistry": "NAION" }
A file that is not JSON, an unknown key or a bad value is an error naming the file and the key
(exit 2), for this command and every command that reads the settings.

Examples:
  $ ltobms config
  $ LTOBMS_PORT=/dev/ttyUSB0 ltobms config --json`,
    )
    .action(lazyAction(async () => (await import('../../commands/config.js')).execute));
}
