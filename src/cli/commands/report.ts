/**
 * `ltobms report`: its options and help. The action is src/commands/report.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Read line-protocol files (ltobms log\'s daily files, ltobms demo\'s) and write one self-contained ' +
        'HTML page: battery and load voltage, current, temperature and charge against time, protection ' +
        'states with UVLO/OVLO/OCLO marked and named, a board selector and a summary per board (energy ' +
        'in and out, time in each state, lowest and highest cell voltage). No network needed to view it.',
    )
    .argument('<input...>', '.lp files, or folders of them')
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option('--id <ID[,ID]>', 'only these boards (4 hex digits each)')
    .option('--from <time>', 'only frames at or after this time (ISO 8601, or epoch seconds)')
    .option('--to <time>', 'only frames at or before this time')
    .option('--title <text>', 'the page title', 'LTO-BMS report')
    .option('--json', 'print the result (file, boards, summaries) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms report ltobms-data/log                        every day file, every board
  $ ltobms report ltobms-data/log/2026-11-21.lp -o today.html
  $ ltobms report ltobms-data/log --id 0007 --from 2026-11-20 --to 2026-11-21T12:00`,
    )
    .action(lazyAction(async () => (await import('../../commands/report.js')).execute));
}
