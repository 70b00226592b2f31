/**
 * `ltobms clean`: its options and help. The action is src/commands/clean.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .option('--out <dir>', 'the build folder', 'build')
    .option('--json', 'print what was removed as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms clean
  $ ltobms clean --out /tmp/fw-build`,
    )
    .action(lazyAction(async () => (await import('../../commands/clean.js')).execute));
}
