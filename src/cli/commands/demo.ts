/**
 * `ltobms demo`: its options and help. The action is src/commands/demo.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { chemistryOption } from '../settings.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Build the firmware, start a virtual board (emulated ATtiny824 + cell, load and charger), program ' +
        'fuses, flash and EEPROM (serial 7) through the real UPDI programmer over an in-process pipe, run a ' +
        'short scenario at max speed while the real log reader writes the frames to the local line-protocol ' +
        'file, then print the frames. Needs avr-gcc; nothing else (no socat, no hardware): the board runs in this process.',
    )
    .addOption(chemistryOption('--chemistry <LTO|NAION>', 'cell chemistry (firmware build and cell model)', 'LTO'))
    .option('--scenario <file>', 'scenario to run (YAML or JSON, docs/scenarios.md); default: 3 h of discharge into UVLO, charge, discharge')
    .option('--out-dir <dir>', 'folder of the daily .lp files (default: the log command\'s, ./ltobms-data/log)')
    .option('--build-dir <dir>', 'firmware build folder (incremental)', 'build')
    .option('--start <time>', 'stamp the frames as if the run started then (ISO 8601 or epoch seconds); default: it ends now')
    .option('--days <n>', 'run the scenario for this many simulated days (instead of its duration) and end with an energy report')
    .option('--board-errors <random[:seed]>', 'a board with plausible component tolerances drawn from the seed (printed on stderr; see ltobms sim --help)')
    .option('--all', 'print every frame, not just state changes and one per quarter hour')
    .option('--json', 'print the result (frames, files, times) as JSON')
    .addHelpText(
      'after',
      `
The frames land in <out-dir>/YYYY-MM-DD.lp as \`ltobms log\` writes them, stamped with the board's
simulated clock (3 simulated hours span 3 hours, ending now or starting at --start);
load them into InfluxDB later with \`ltobms log --replay <file>\`.

Examples:
  $ ltobms demo
  $ ltobms demo --chemistry NAION
  $ ltobms demo --scenario examples/scenarios/charge-ovlo.yaml --all
  $ ltobms demo --out-dir /tmp/frames --json
  $ ltobms demo --scenario examples/scenarios/winter-30d.yaml --days 30      a month, with an energy report`,
    )
    .action(lazyAction(async () => (await import('../../commands/demo.js')).execute));
}
