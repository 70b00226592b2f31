/**
 * `ltobms ports`: its options and help. The action is src/commands/ports.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'List serial ports backed by USB adapters, with USB vendor:product id, manufacturer, product ' +
        'and serial number (from udev, or from /sys/class/tty when udevadm is missing). --all also lists ' +
        'serial ports without USB information.',
    )
    .option('--all', 'include serial ports that are not USB adapters')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms ports
  $ ltobms ports --json | jq -r '.[0].path'`,
    )
    .action(lazyAction(async () => (await import('../../commands/ports.js')).execute));
}
